/* Supervision region page: formation progress, health classes and top problems (data from chart-data). */
(function(){
  var d = JSON.parse(document.getElementById('chart-data').textContent);
  var colors = ['#b91c1c','#f59e0b','#10b981','#3b82f6','#6366f1'];
  new Chart(document.getElementById('chart-progress'), {type:'line', data:{labels:d.months, datasets:d.series.map(function(s,i){return {label:s.label, data:s.data, borderColor:colors[i%5], pointRadius:0, tension:.2};})}, options:{plugins:{legend:{labels:{boxWidth:10}}}, scales:{y:{beginAtZero:true}}}});
  new Chart(document.getElementById('chart-health'), {type:'doughnut', data:{labels:d.health.labels, datasets:[{data:d.health.data, backgroundColor:['#10b981','#84cc16','#f59e0b','#b91c1c','#9ca3af']}]}, options:{plugins:{legend:{display:false}}}});
  // long problem names wrap over lines instead of being cut at the card's edge
  function wrap(label){var out=[], line=''; label.split(' ').forEach(function(w){if(line && (line+' '+w).length>18){out.push(line); line=w;} else {line=line?line+' '+w:w;}}); if(line){out.push(line);} return out;}
  new Chart(document.getElementById('chart-problems'), {type:'bar', data:{labels:d.problems.labels.map(wrap), datasets:[{data:d.problems.data, backgroundColor:'#b91c1c'}]}, options:{indexAxis:'y', maintainAspectRatio:false, plugins:{legend:{display:false}}, scales:{x:{beginAtZero:true, ticks:{precision:0}}, y:{ticks:{autoSkip:false}}}}});
})();
