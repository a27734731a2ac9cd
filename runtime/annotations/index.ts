// Public surface of runtime/annotations.
export { AnnotationStore } from './annotation-store';
