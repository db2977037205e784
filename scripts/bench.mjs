#!/usr/bin/env node
// `npm run bench`: costs as ratios to a baseline measured in the same run on the same machine, so the
// numbers mean the same on a laptop and on CI.
//
// prepare: reading a prescription and computing EPS's digest (parse, translate, canonicalise, hash,
// SignedInfo), against one RSA-2048 signature with Node's crypto. Target: below 0.5.
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parsePrescription, prepare } = await import(path.join(root, 'dist/main/prescriptions/prescription.js'));
const corpus = process.env.EPS_CONFORMANCE_DIR ?? path.resolve(root, '..', 'shared', 'conformance', 'eps');

function medicationRequests(text) {
  return JSON.parse(text).entry.filter((e) => e.resource.resourceType === 'MedicationRequest').length;
}
const requests = fs
  .readdirSync(path.join(corpus, 'prepare'))
  .map((name) => fs.readFileSync(path.join(corpus, 'prepare', name, 'prepare-request.json'), 'utf8'));
const oneItem = requests.find((text) => medicationRequests(text) === 1);
const fourItems = requests.find((text) => medicationRequests(text) === 4);

/** Median time per operation over several rounds, after a warm-up. */
function measure(operation, iterations) {
  for (let i = 0; i < Math.min(200, iterations); i++) operation();
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) operation();
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return rounds.sort((a, b) => a - b)[3];
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const timestamp = '2024-12-09T11:50:04+00:00';
const signedInfo = Buffer.from(prepare(parsePrescription('fhir-bundle', fourItems), { timestamp }).signedInfo);

const rsa = measure(() => sign('sha256', signedInfo, privateKey), 300);
const one = measure(() => prepare(parsePrescription('fhir-bundle', oneItem), { timestamp }), 1000);
const four = measure(() => prepare(parsePrescription('fhir-bundle', fourItems), { timestamp }), 1000);

const us = (ns) => `${(ns / 1000).toFixed(1)} µs`;
console.log(`baseline: RSA-2048 signature (node crypto)      ${us(rsa)}`);
console.log(`prepare, 1 item:   ${us(one).padStart(10)}   ratio ${(one / rsa).toFixed(3)}   (target < 0.5)`);
console.log(`prepare, 4 items:  ${us(four).padStart(10)}   ratio ${(four / rsa).toFixed(3)}   (target < 0.5)`);
console.log('');

const { benchPipe } = await import('./bench-pipe.mjs');
await benchPipe(root);

console.log('');
const { benchCard } = await import('./bench-card.mjs');
await benchCard(root);
