/* Warehouse utilisation report: weekly occupancy chart (data from the occ-data JSON script). */
(function () {
  var d = JSON.parse(document.getElementById('occ-data').textContent);
  var palette = ['#b91c1c', '#1d4ed8', '#15803d', '#a16207'];
  d.datasets.forEach(function (s, i) { s.borderColor = palette[i % palette.length]; s.pointRadius = 0; s.fill = false; s.borderWidth = 2; });
  new Chart(document.getElementById('occ'), {type: 'line', data: d, options: {animation: false, maintainAspectRatio: false}});
})();
