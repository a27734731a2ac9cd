// Sparkplug B topics: spBv1.0/<group>/<message type>/<edge node>[/<device>].
export const NAMESPACE = 'spBv1.0';
export const MESSAGE_TYPES = ['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD', 'STATE'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface SparkplugTopic {
  group: string;
  type: MessageType;
  edge: string;
  device?: string;
}

/** Parses a topic; throws naming msg.topic when it is not a Sparkplug B topic. */
export function parseTopic(topic: unknown): SparkplugTopic {
  if (typeof topic !== 'string') throw new Error('msg.topic: must be a Sparkplug B topic string');
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE) throw new Error(`msg.topic: must start with "${NAMESPACE}/" (got "${topic}")`);
  const type = parts[2] as MessageType;
  if (!MESSAGE_TYPES.includes(type)) throw new Error(`msg.topic: unknown message type "${parts[2]}" in "${topic}"`);
  const device = type.startsWith('D');
  if (parts.length !== (device ? 5 : 4) || parts.some((p) => p === '')) {
    throw new Error(`msg.topic: ${type} topics are ${NAMESPACE}/<group>/${type}/<edge node>${device ? '/<device>' : ''} (got "${topic}")`);
  }
  return { group: parts[1], type, edge: parts[3], device: device ? parts[4] : undefined };
}

export function rebirthTopic(group: string, edge: string): string {
  return `${NAMESPACE}/${group}/NCMD/${edge}`;
}
