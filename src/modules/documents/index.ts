/** The documents module's public face (docs/DOCUMENTS.md): forms 01–07 and sealed results. */
export {
  availableForms,
  DOSSIER_FORMS,
  FORM_TITLES,
  formQrPayload,
  isDossierForm,
  parseFormQr,
  type AvailableForm,
  type DossierFormCode,
  type FormCode,
} from './forms.ts';
export { documentRoutes, wellKnownRoutes, sendPdf, baseUrlOf, GenerateBody as GeneratedResultBody } from './documents.routes.ts';
export {
  dossierFormPdf,
  listDossierDocuments,
  listDossierResults,
  dossierResults,
  registerPdf,
  resultSealRefusal,
  sealResult,
  verifyById,
  verifyContent,
  listMyResults,
  type SealedView,
  type SealInput,
  type Verification,
} from './documents.service.ts';
export { keyRingFor } from './signing.ts';
export { RESULT_COMPONENT } from '../dossiers/dossiers.service.ts';
