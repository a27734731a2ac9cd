// The signature dialog lives in components/signature-dialog.ts (one shared dialog); this
// path stays so existing imports keep working.
export { askSignature, withSignature, MEANINGS, type SignatureRequest } from '../components/signature-dialog';
