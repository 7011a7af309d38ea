#!/usr/bin/env node
// Offline schema check for rendered Kubernetes manifests.
//
//   kubectl kustomize k8s/overlays/dev | node tools/node/validate-k8s.js
//   node tools/node/validate-k8s.js rendered.yaml [more.yaml ...]
//
// Reads multi-document YAML (stdin, or the files named), builds the kubernetes-models class
// for each object's apiVersion/kind and runs its JSON-schema validation. Prints one line per
// object ("ok Deployment/membership") and exits 1 if any object fails: a schema error, an
// apiVersion/kind the models do not know, a missing metadata.name, or a duplicate object.
// Exits 2 when the input cannot be read or parsed, or holds no objects.
//
// Limitation: the upstream schemas do not forbid unknown fields, so a misspelt optional field
// (e.g. `readinesProbe`) passes here; the API server's strict field validation catches it.
'use strict';

const fs = require('fs');
const yaml = require('js-yaml');

// kubernetes-models is ESM-only (its package exports have no `require` condition), so it is
// loaded with import(), one module per group/version: "apps/v1" -> kubernetes-models/apps/v1,
// core "v1" -> kubernetes-models/v1.
const modelModules = new Map();
async function loadGroupVersion(apiVersion) {
  if (!modelModules.has(apiVersion)) {
    modelModules.set(
      apiVersion,
      import(`kubernetes-models/${apiVersion}`).catch(() => null),
    );
  }
  return modelModules.get(apiVersion);
}

async function modelClass(apiVersion, kind) {
  // Guard the import path: only "<version>" or "<group>/<version>".
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return null;
  const mod = await loadGroupVersion(apiVersion);
  const cls = mod && mod[kind];
  // Each module also exports nested types (e.g. DeploymentSpec); only top-level kinds carry
  // their own apiVersion/kind.
  if (typeof cls !== 'function' || cls.kind !== kind || cls.apiVersion !== apiVersion) return null;
  return cls;
}

// The value at a JSON pointer such as "/data/MAILLAGE_PG_URI".
function valueAt(doc, pointer) {
  let v = doc;
  for (const raw of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

// Kustomize folds long base64 values (Secret data) over several lines. The API server decodes
// them with Go's base64, which skips CR and LF, but the models' `byte` format does not; accept
// exactly what the server accepts.
const kBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
function isFoldedBase64(doc, e) {
  if (e.keyword !== 'format' || !e.params || e.params.format !== 'byte') return false;
  const v = valueAt(doc, e.instancePath);
  return typeof v === 'string' && kBase64.test(v.replace(/[\r\n]/g, ''));
}

function describeErrors(doc, err) {
  // ValidationError from @kubernetes-models/validate carries ajv's error objects.
  if (!Array.isArray(err.errors) || err.errors.length === 0) return [err.message || String(err)];
  return err.errors.filter((e) => !isFoldedBase64(doc, e)).map((e) => {
    const where = e.instancePath || '/';
    let detail = e.message || e.keyword;
    if (e.params && e.params.allowedValues) detail += ` (${e.params.allowedValues.join(', ')})`;
    return `${where}: ${detail}`;
  });
}

function readInput(paths) {
  if (paths.length === 0) return [{ name: '<stdin>', text: fs.readFileSync(0, 'utf8') }];
  return paths.map((p) => ({ name: p, text: fs.readFileSync(p, 'utf8') }));
}

async function main() {
  const docs = [];
  try {
    for (const { name, text } of readInput(process.argv.slice(2))) {
      yaml.loadAll(text, (doc) => {
        if (doc !== null && doc !== undefined) docs.push({ source: name, doc });
      });
    }
  } catch (err) {
    console.error(`validate-k8s: cannot read input: ${err.message}`);
    return 2;
  }
  if (docs.length === 0) {
    console.error('validate-k8s: no Kubernetes objects in the input');
    return 2;
  }

  const seen = new Set();
  let failed = 0;
  for (const [index, { source, doc }] of docs.entries()) {
    const isObject = typeof doc === 'object' && !Array.isArray(doc);
    const kind = isObject && typeof doc.kind === 'string' ? doc.kind : '<no kind>';
    const name = isObject && doc.metadata && typeof doc.metadata.name === 'string'
      ? doc.metadata.name : '';
    const label = `${kind}/${name || `<document ${index + 1} of ${source}>`}`;

    const problems = [];
    if (!isObject || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
      problems.push('not a Kubernetes object: apiVersion and kind must be strings');
    } else {
      const cls = await modelClass(doc.apiVersion, doc.kind);
      if (!cls) {
        problems.push(`unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
      } else {
        try {
          new cls(doc).validate();
        } catch (err) {
          problems.push(...describeErrors(doc, err));
        }
      }
      // ObjectMeta's schema leaves name optional (generateName); applied manifests need it.
      if (!name) problems.push('/metadata/name: is required');
      const ns = (doc.metadata && doc.metadata.namespace) || '';
      const key = `${doc.apiVersion}|${doc.kind}|${ns}|${name}`;
      if (name && seen.has(key)) problems.push(`duplicate object ${ns ? `${ns}/` : ''}${name}`);
      seen.add(key);
    }

    if (problems.length === 0) {
      console.log(`ok ${label}`);
    } else {
      failed++;
      console.log(`FAIL ${label}`);
      for (const p of problems) console.log(`    ${p}`);
    }
  }

  console.log(`validate-k8s: ${docs.length} objects, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`validate-k8s: ${err.stack || err}`); process.exitCode = 2; },
);
