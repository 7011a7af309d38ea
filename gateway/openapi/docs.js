// Renders /openapi.json for a person: each operation with its parameters, body and answer,
// and a form that sends it with the token or API key given at the top (kept in this tab).
'use strict';

const $ = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v; else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};

let spec = null;

function refName(ref) { return ref.split('/').pop(); }

// A short text for a schema: its type, or the name of the message it refers to.
function typeOf(schema) {
  if (!schema) return '';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.allOf) return typeOf(schema.allOf[0]);
  if (schema.type === 'array') return typeOf(schema.items) + '[]';
  return schema.format ? `${schema.type} (${schema.format})` : (schema.type || 'any');
}

function schemaTable(schema, depth = 0) {
  if (schema && schema.$ref) schema = spec.components.schemas[refName(schema.$ref)];
  if (!schema) return $('span');
  if (schema.enum) return $('span', {}, 'one of: ' + schema.enum.join(', '));
  if (!schema.properties) return $('span', {}, typeOf(schema));
  const table = $('table', {}, $('tr', {}, $('th', {}, 'field'), $('th', {}, 'type'),
                                  $('th', {}, 'description')));
  for (const [name, prop] of Object.entries(schema.properties)) {
    const row = $('tr', {}, $('td', {}, name), $('td', {}, typeOf(prop)),
                  $('td', {}, prop.description || ''));
    table.append(row);
  }
  return table;
}

function credentials(headers) {
  const token = sessionStorage.getItem('token');
  const key = sessionStorage.getItem('apikey');
  if (token) headers['Authorization'] = 'Bearer ' + token;
  else if (key) headers['x-api-key'] = key;
}

function operationView(path, verb, op) {
  const method = verb.toUpperCase();
  const params = (op.parameters || []).map(p => p.$ref ? spec.components.parameters[refName(p.$ref)] : p);
  const body = $('div', { class: 'body' });
  if (op.description) body.append($('p', {}, op.description));

  const inputs = {};
  if (params.length) {
    const table = $('table', {}, $('tr', {}, $('th', {}, 'parameter'), $('th', {}, 'in'),
                                   $('th', {}, 'type'), $('th', {}, 'value'),
                                   $('th', {}, 'description')));
    for (const p of params) {
      const input = $('input', { size: 24 });
      inputs[p.in + ':' + p.name] = input;
      table.append($('tr', {}, $('td', {}, p.name + (p.required ? ' *' : '')), $('td', {}, p.in),
                     $('td', {}, typeOf(p.schema)), $('td', {}, input),
                     $('td', {}, p.description || '')));
    }
    body.append($('h4', {}, 'Parameters'), table);
  }
  let bodyInput = null;
  if (op.requestBody) {
    const [type, media] = Object.entries(op.requestBody.content)[0];
    body.append($('h4', {}, `Body (${type})`));
    if (op.requestBody.description) body.append($('p', { class: 'muted' }, op.requestBody.description));
    if (type === 'application/json') body.append(schemaTable(media.schema));
    bodyInput = $('textarea', { rows: 6, placeholder: type === 'application/json' ? '{}' : 'file contents' });
    bodyInput.dataset.type = type;
    body.append(bodyInput);
  }
  const ok = op.responses['200'];
  const [okType, okMedia] = Object.entries(ok.content || { '': {} })[0];
  body.append($('h4', {}, `Answer (${okType})`));
  if (okType === 'application/json') body.append(schemaTable(okMedia.schema));
  else body.append($('p', { class: 'muted' }, ok.description));

  const out = $('pre', { class: 'muted' }, 'Not sent yet.');
  const send = $('button', {}, `Send ${method}`);
  send.addEventListener('click', async () => {
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const p of params) {
      const v = inputs[p.in + ':' + p.name].value;
      if (!v) continue;
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(v));
      else if (p.in === 'query') for (const part of v.split(',')) query.append(p.name, part.trim());
      else if (p.in === 'header') headers[p.name] = v;
    }
    credentials(headers);
    const init = { method, headers };
    if (bodyInput) { init.body = bodyInput.value; headers['Content-Type'] = bodyInput.dataset.type; }
    const qs = query.toString();
    out.textContent = `${method} ${url}${qs ? '?' + qs : ''} …`;
    try {
      const response = await fetch(url + (qs ? '?' + qs : ''), init);
      let text = await response.text();
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      out.textContent = `${response.status} ${response.statusText}\n` +
          `x-request-id: ${response.headers.get('x-request-id') || ''}\n\n${text}`;
    } catch (e) {
      out.textContent = 'The request failed: ' + e;
    }
  });
  body.append($('h4', {}, 'Try it'), send, out);

  const details = $('details', { class: 'op' },
      $('summary', {}, $('span', { class: 'verb ' + method }, method), path,
        $('span', { class: 'summary' }, op.summary || '')), body);
  details.dataset.search = `${method} ${path} ${op.operationId} ${op.summary || ''}`.toLowerCase();
  return details;
}

function render() {
  const main = document.getElementById('operations');
  main.textContent = '';
  document.getElementById('intro').textContent = spec.info.description || '';
  for (const tag of spec.tags) {
    const section = $('section', {}, $('h2', {}, tag.name));
    if (tag.description) section.append($('p', {}, tag.description));
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [verb, op] of Object.entries(item)) {
        if ((op.tags || []).includes(tag.name)) section.append(operationView(path, verb, op));
      }
    }
    main.append(section);
  }
}

for (const id of ['token', 'apikey']) {
  const input = document.getElementById(id);
  input.value = sessionStorage.getItem(id) || '';
  input.addEventListener('change', () => sessionStorage.setItem(id, input.value.trim()));
}
document.getElementById('filter').addEventListener('input', (e) => {
  const words = e.target.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const op of document.querySelectorAll('details.op')) {
    op.hidden = !words.every(w => op.dataset.search.includes(w));
  }
});

fetch('/openapi.json')
  .then(r => r.json())
  .then(j => { spec = j; render(); })
  .catch(e => { document.getElementById('operations').textContent = 'Cannot load /openapi.json: ' + e; });
