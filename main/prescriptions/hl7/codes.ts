/** OIDs and fixed codes of the HL7 V3 prescription message, named for what they identify. */
export const OID = {
  sdsRoleProfileId: '1.2.826.0.1285.0.2.0.67',
  sdsJobRoleCode: '1.2.826.0.1285.0.2.1.104',
  professionalCode: '1.2.826.0.1285.0.2.1.54',
  sdsUserId: '1.2.826.0.1285.0.2.0.65',
  odsOrganisationCode: '1.2.826.0.1285.0.1.10',
  organisationType: '2.16.840.1.113883.2.1.3.2.4.17.94',
  nhsNumber: '2.16.840.1.113883.2.1.4.1',
  gender: '2.16.840.1.113883.2.1.3.2.4.16.25',
  patientCareProvisionType: '2.16.840.1.113883.2.1.3.2.4.17.37',
  snomed: '2.16.840.1.113883.2.1.3.2.4.15',
  instructionType: '2.16.840.1.113883.2.1.3.2.4.17.30',
  endorsement: '2.16.840.1.113883.2.1.3.2.4.16.32',
  shortFormPrescriptionId: '2.16.840.1.113883.2.1.3.2.4.18.8',
} as const;

export const FHIR_SYSTEM = {
  sdsRoleProfileId: 'https://fhir.nhs.uk/Id/sds-role-profile-id',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  jobRoleCode: 'https://fhir.nhs.uk/CodeSystem/NHSDigital-SDS-JobRoleCode',
  jobRoleName: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-SDSJobRoleName',
  gmp: 'https://fhir.hl7.org.uk/Id/gmp-number',
  odsOrganisationCode: 'https://fhir.nhs.uk/Id/ods-organization-code',
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  prescriptionOrderItemNumber: 'https://fhir.nhs.uk/Id/prescription-order-item-number',
  prescriptionOrderNumber: 'https://fhir.nhs.uk/Id/prescription-order-number',
  gmc: 'https://fhir.hl7.org.uk/Id/gmc-number',
  nmc: 'https://fhir.hl7.org.uk/Id/nmc-number',
  gphc: 'https://fhir.hl7.org.uk/Id/gphc-number',
  hcpc: 'https://fhir.hl7.org.uk/Id/hcpc-number',
  din: 'https://fhir.hl7.org.uk/Id/din-number',
  professionalCode: 'https://fhir.hl7.org.uk/Id/professional-code',
  spuriousCode: 'https://fhir.hl7.org.uk/Id/nhsbsa-spurious-code',
} as const;

export const FHIR_EXTENSION = {
  prescriptionId: 'https://fhir.nhs.uk/StructureDefinition/Extension-DM-PrescriptionId',
  prescriptionType: 'https://fhir.nhs.uk/StructureDefinition/Extension-DM-PrescriptionType',
  controlledDrug: 'https://fhir.nhs.uk/StructureDefinition/Extension-DM-ControlledDrug',
  endorsement: 'https://fhir.nhs.uk/StructureDefinition/Extension-DM-PrescriptionEndorsement',
  repeatInformation: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-MedicationRepeatInformation',
} as const;
