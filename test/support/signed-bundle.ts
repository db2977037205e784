/** A prepare request Bundle with a Provenance carrying `data` (base64 Signature) signed `when`: as a supplier submits it. */
export function signedBundle(requestBundle: string, data: string, when: string): string {
  const bundle = JSON.parse(requestBundle) as { entry: { fullUrl?: string; resource: Record<string, unknown> }[] };
  const requester = (bundle.entry.find((e) => e.resource.resourceType === 'MedicationRequest')!.resource.requester as { reference: string }).reference;
  bundle.entry.push({
    fullUrl: 'urn:uuid:0b7a3cc5-1d2e-4c7b-9a55-111111111111',
    resource: { resourceType: 'Provenance', signature: [{ when, who: { reference: requester }, data }] },
  });
  return JSON.stringify(bundle);
}
