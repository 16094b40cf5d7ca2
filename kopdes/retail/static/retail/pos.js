/* The cashier screen (POS): cart, member lookup, payment, camera scanning. URLs and texts come from the
   page's pos-config JSON; the shift id from shift-id. */
(function(){
const CFG=JSON.parse(document.getElementById('pos-config').textContent);
const URLS=CFG.urls;
const csrf=document.body.getAttribute('hx-headers')?JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']:'';
const shiftId=JSON.parse(document.getElementById('shift-id').textContent);
const $=id=>document.getElementById(id);
const T=CFG.t;
let cart=[],member=null,busy=false;
const newId=()=>(window.crypto&&crypto.randomUUID)?crypto.randomUUID():(Date.now().toString(36)+Math.random().toString(36).slice(2)+Math.random().toString(36).slice(2));
let clientId=newId();
const dirty=()=>{clientId=newId();};
const rp=v=>'Rp'+Math.round(Number(v)).toLocaleString('id-ID');
const price=l=>Number(member&&member.active?l.member_price:l.public_price);
function total(){return cart.reduce((s,l)=>s+price(l)*Number(l.qty),0);}
function render(){
  const tb=document.querySelector('#cart tbody');tb.innerHTML='';
  cart.forEach((l,i)=>{const tr=document.createElement('tr');
    tr.innerHTML=`<td>${l.name}<div class="small text-muted">${l.uom}</div></td><td class="num text-end">${rp(price(l))}</td>
    <td><input class="form-control form-control-sm qty-input" inputmode="decimal" value="${l.qty}" data-i="${i}" aria-label="${T.qty_of} ${l.name}"></td>
    <td class="num text-end">${rp(price(l)*Number(l.qty))}</td><td><button class="btn btn-sm btn-link text-danger" data-del="${i}" aria-label="${T.remove}">×</button></td>`;tb.appendChild(tr);});
  $('empty').classList.toggle('d-none',cart.length>0);
  $('photo-box').classList.toggle('d-none',!cart.some(l=>l.regulated==='pupuk'));
  $('total').textContent=rp(total());updateChange();
}
function updateChange(){const t=Number(($('tendered').value||'0').replace(/\./g,''));$('change').textContent=rp(Math.max(0,t-total()));}
function showError(msg){const e=$('error');e.textContent=msg;e.classList.toggle('d-none',!msg);}
function add(p){dirty();const ex=cart.find(l=>l.id===p.id&&l.uom_id===p.uom_id);if(ex){ex.qty=Number(ex.qty)+1;}else{cart.push({...p,qty:1});}
  $('results').innerHTML='';$('scan').value='';render();$('scan').focus();}
async function lookup(params){const r=await fetch(URLS.lookup+'?'+new URLSearchParams(params));return [r.status,await r.json()];}
$('scan').addEventListener('keydown',async e=>{if(e.key!=='Enter')return;e.preventDefault();const v=$('scan').value.trim();if(!v)return;
  if(/^\d{8,14}$/.test(v)||/^[A-Z0-9-]{2,}$/.test(v)){const [st,d]=await lookup({code:v});if(st===200){showError('');add(d.results[0]);return;}if(d.code==='bad_barcode'){showError(d.error);$('scan').select();return;}}
  const [st,d]=await lookup({q:v});if(d.results&&d.results.length===1){add(d.results[0]);}else if(d.results&&d.results.length){showResults(d.results);}else{showError(T.notfound+v);}});
let t0;$('scan').addEventListener('input',()=>{clearTimeout(t0);const v=$('scan').value.trim();if(v.length<2||/^\d+$/.test(v)){$('results').innerHTML='';return;}t0=setTimeout(async()=>{const [st,d]=await lookup({q:v});showResults(d.results||[]);},250);});
function showResults(list){const box=$('results');box.innerHTML='';list.forEach(p=>{const a=document.createElement('button');a.type='button';a.className='list-group-item list-group-item-action d-flex justify-content-between';
  a.innerHTML=`<span>${p.name} <small class="text-muted">${p.uom}</small></span><span class="num">${rp(member&&member.active?p.member_price:p.public_price)} · ${T.stock} ${Number(p.stock).toLocaleString('id-ID')}</span>`;a.onclick=()=>add(p);box.appendChild(a);});}
document.querySelector('#cart').addEventListener('change',e=>{const i=e.target.dataset.i;if(i===undefined)return;const q=Number(String(e.target.value).replace(',','.'));dirty();if(q>0){cart[i].qty=q;}else{cart.splice(i,1);}render();});
document.querySelector('#cart').addEventListener('click',e=>{const i=e.target.dataset.del;if(i===undefined)return;dirty();cart.splice(Number(i),1);render();});
async function findMember(){const q=$('member-input').value.trim();if(!q)return;const r=await fetch(URLS.member+'?'+new URLSearchParams({q}));const d=await r.json();dirty();
  if(r.status!==200){member=null;$('member-info').innerHTML='<span class="text-danger">'+d.error+'</span>';render();return;}
  member=d;let html=`<b>${d.name}</b> · ${T.no} ${d.number} ${d.active?'<span class="badge text-bg-success">'+T.active+'</span>':'<span class="badge text-bg-secondary">'+T.inactive+'</span>'}<br>${T.bon}: ${rp(d.bon)} ${T.of_limit} ${rp(d.credit_limit)}`;
  if(d.fertilizer.length){html+='<br>'+T.fert_left+': '+d.fertilizer.map(f=>f.type+' '+Number(f.remaining_kg).toLocaleString('id-ID')+' kg').join(', ');}
  $('member-info').innerHTML=html;$('member-info').classList.remove('text-muted');render();$('scan').focus();}
$('member-btn').onclick=findMember;$('member-input').addEventListener('keydown',e=>{if(e.key==='Enter'){e.preventDefault();findMember();}});
$('member-clear').onclick=()=>{member=null;dirty();$('member-input').value='';$('member-info').textContent=T.walkin;render();};
$('method').onchange=()=>{dirty();const m=$('method').value;$('cash-box').classList.toggle('d-none',m!=='cash');$('ref-box').classList.toggle('d-none',!(m==='qris'||m==='transfer'));};
$('tendered').addEventListener('input',()=>{dirty();updateChange();});['payref','buyer-nik'].forEach(id=>$(id).addEventListener('input',dirty));$('photo').addEventListener('change',dirty);
$('pay-btn').onclick=async()=>{if(busy)return;if(!cart.length){showError(T.empty);return;}busy=true;$('pay-btn').disabled=true;showError('');
  let photo=null;const f=$('photo').files&&$('photo').files[0];
  if(f&&cart.some(l=>l.regulated==='pupuk')){photo=await new Promise(res=>{const rd=new FileReader();rd.onload=()=>res(rd.result);rd.onerror=()=>res(null);rd.readAsDataURL(f);});}
  const body={photo,client_id:clientId,shift_id:shiftId,member_id:member?member.id:null,method:$('method').value,
    tendered:($('tendered').value||'').replace(/\./g,'')||null,payment_ref:$('payref').value,buyer_nik:$('buyer-nik').value,
    lines:cart.map(l=>({product_id:l.id,uom_id:l.uom_id,qty:String(l.qty)}))};
  try{const r=await fetch(URLS.pay,{method:'POST',headers:{'Content-Type':'application/json','X-CSRFToken':csrf},body:JSON.stringify(body)});
    const d=await r.json();if(r.ok){window.location.href=d.receipt_url;return;}showError(d.error||T.failed);}
  catch(err){showError(T.offline);}
  busy=false;$('pay-btn').disabled=false;};
if('BarcodeDetector' in window&&navigator.mediaDevices){const btn=$('cam-btn');btn.classList.remove('d-none');let stream=null;
  btn.onclick=async()=>{const v=$('camera');if(stream){stream.getTracks().forEach(t=>t.stop());stream=null;v.classList.add('d-none');return;}
    try{stream=await navigator.mediaDevices.getUserMedia({video:{facingMode:'environment'}});v.srcObject=stream;v.classList.remove('d-none');await v.play();
      const det=new BarcodeDetector({formats:['ean_13','ean_8','qr_code','code_128']});
      const tick=async()=>{if(!stream)return;try{const codes=await det.detect(v);if(codes.length){const c=codes[0].rawValue;
        if(c.startsWith('KOPDES-A|')){$('member-input').value=c;findMember();}else{$('scan').value=c;$('scan').dispatchEvent(new KeyboardEvent('keydown',{key:'Enter'}));}
        stream.getTracks().forEach(t=>t.stop());stream=null;v.classList.add('d-none');return;}}catch(e){}requestAnimationFrame(tick);};tick();}
    catch(e){showError(T.camera);}};}
render();
})();
