/* Supervision: a cooperative's health-score trend (data from the trend-data JSON script). */
(function () {
  var d = JSON.parse(document.getElementById('trend-data').textContent);
  new Chart(document.getElementById('chart-trend'), {type: 'line', data: {labels: d.labels, datasets: [{label: 'Skor', data: d.data, borderColor: '#b91c1c'}]},
    options: {scales: {y: {min: 0, max: 100}}, plugins: {legend: {display: false}}}});
})();
