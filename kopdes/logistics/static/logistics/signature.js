/* Delivery proof: the recipient signs on the canvas #sig; the drawing goes into the form's signature field. */
(function () {
  var c = document.getElementById('sig'); if (!c) return;
  var ctx = c.getContext('2d'), drawing = false, dirty = false;
  ctx.lineWidth = 2; ctx.lineCap = 'round';
  function pos(e) { var r = c.getBoundingClientRect(); return [(e.clientX - r.left) * c.width / r.width, (e.clientY - r.top) * c.height / r.height]; }
  c.addEventListener('pointerdown', function (e) { drawing = true; var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
  c.addEventListener('pointermove', function (e) { if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); dirty = true; });
  ['pointerup', 'pointerleave'].forEach(function (n) { c.addEventListener(n, function () { drawing = false; }); });
  document.getElementById('sig-clear').onclick = function () { ctx.clearRect(0, 0, c.width, c.height); dirty = false; };
  document.getElementById('proof-form').addEventListener('submit', function () {
    var input = this.querySelector('input[name=signature]'); if (dirty && input) input.value = c.toDataURL('image/png');
  });
})();
