/* Cold storage: one temperature chart per room, data fetched from each canvas's data-url. */
document.querySelectorAll('.temp-chart').forEach(function (el) {
  fetch(el.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (d) {
    var labels = d.points.map(function (p) { return p.at; });
    var sets = [{label: 'Suhu (°C)', data: d.points.map(function (p) { return p.c; }), borderColor: '#1d4ed8', pointRadius: d.points.map(function (p) { return p.out ? 3 : 0; }), pointBackgroundColor: '#b91c1c', borderWidth: 1.5, tension: 0.2}];
    if (d.min !== null) sets.push({label: 'Batas bawah', data: labels.map(function () { return d.min; }), borderColor: '#94a3b8', borderDash: [4, 4], pointRadius: 0, borderWidth: 1});
    if (d.max !== null) sets.push({label: 'Batas atas', data: labels.map(function () { return d.max; }), borderColor: '#b91c1c', borderDash: [4, 4], pointRadius: 0, borderWidth: 1});
    new Chart(el, {type: 'line', data: {labels: labels, datasets: sets}, options: {animation: false, maintainAspectRatio: false, scales: {x: {ticks: {maxTicksLimit: 6}}}, plugins: {legend: {labels: {boxWidth: 12}}}}});
    if (!d.points.length) { el.insertAdjacentHTML('afterend', '<div class="small text-muted">Belum ada data suhu pada periode ini.</div>'); }
  });
});
