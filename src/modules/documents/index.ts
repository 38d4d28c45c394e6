/** The documents module's public face (docs/DOCUMENTS.md): forms 01–07 and sealed results. */
export { availableForms, DOSSIER_FORMS, FORM_TITLES, formQrPayload, isDossierForm, parseFormQr, type AvailableForm, type DossierFormCode, type FormCode } from './forms.ts';
export { documentRoutes, wellKnownRoutes, sendPdf } from './documents.routes.ts';
export { dossierFormPdf, listDossierDocuments, registerPdf, verifyById, verifyContent, listMyResults, RESULT_COMPONENT, type Verification } from './documents.service.ts';
export { keyRingFor } from './signing.ts';
