// The tag picker lives in components/tag-picker.ts (shared by trend and layouts); this path
// stays so existing imports keep working.
import '../components/tag-picker';
export { TagPicker } from '../components/tag-picker';
