// What a twin-predict node registers in the component registry (components.twins).
export interface TwinComponent {
  /** The model file's name (runtime/twin/model-store). */
  readonly model: string;
  /** Null until a model is loaded or trained. */
  status(): { loaded: boolean; confidence: number | null; anomaly: boolean };
}
