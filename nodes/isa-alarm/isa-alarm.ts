// isa-alarm: one group of ISA-18.2 alarms in the process alarm service (runtime/alarm).
// Deploy configures the group (states survive redeploys and restarts), samples feed the
// evaluator, and every state transition of the group — from a sample, a delay timer or
// an operator command through the API — leaves the node as one message.
import { samplesFromMessage, type Sample } from '../../runtime/model';
import { STATE_NAMES, type AlarmService, type AlarmState, type Transition } from '../../runtime/alarm';
import { openProcessAlarmService } from '../../runtime/alarm';
import { alarmServiceOf, servicesOf } from '../lib/services';
import type { NodeDef, NodeStatus, RED, RedNode } from '../lib/red';
import { rowToDefinition, watchedTags, type AlarmRow } from './rows';

/** Worst first: an unacknowledged alarm needs the operator most. */
const SEVERITY: AlarmState[] = ['B', 'D', 'C', 'G', 'E', 'F', 'A'];
const FILL: Record<AlarmState, NodeStatus['fill']> = { B: 'red', D: 'yellow', C: 'yellow', G: 'grey', E: 'grey', F: 'grey', A: 'green' };

function alarmService(RED: RED): AlarmService {
  const svc = alarmServiceOf(RED);
  if (svc) return svc;
  // Normally the server opens it at start-up; a runtime without that (tests, an embedding
  // that did not) gets it opened here, in the same data directory.
  const dataDir = servicesOf(RED).dataDir;
  if (!dataDir) throw new Error('alarm service: not started and no data directory is set');
  return openProcessAlarmService({ dataDir });
}

export default function register(RED: RED): void {
  RED.nodes.registerType('isa-alarm', function (this: RedNode, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const group = node.id;
    let svc: AlarmService;
    let watched: Set<string>;
    let unsubscribe: (() => void) | null = null;
    let unregister: (() => void) | null = null;
    let invalid = 0;

    const showStatus = () => {
      const views = svc.list({ group });
      const counts = new Map<AlarmState, number>();
      for (const v of views) counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
      const worst = SEVERITY.find((s) => counts.has(s));
      if (!worst) return node.status({ fill: 'grey', shape: 'ring', text: 'no alarms' });
      const n = counts.get(worst)!;
      const text = worst === 'A' ? `${views.length} normal` : `${STATE_NAMES[worst]}${n > 1 ? ` ×${n}` : ''}`;
      node.status({ fill: FILL[worst], shape: worst === 'A' ? 'ring' : 'dot', text: invalid ? `${text} · ${invalid} invalid` : text });
    };

    try {
      const rows = Array.isArray(config.alarms) ? (config.alarms as AlarmRow[]) : [];
      const defs = rows.map(rowToDefinition);
      watched = watchedTags(defs);
      svc = alarmService(RED);
      svc.configure(group, defs);
      const service = svc;
      unregister = servicesOf(RED).components.alarms.register(group, { group, label: node.name || group, alarms: () => service.list({ group }) });
      unsubscribe = svc.onTransition((t: Transition) => {
        if (t.group !== group) return;
        node.send({ topic: t.alarmId, payload: t });
        showStatus();
      });
      showStatus();
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message.slice(0, 120) });
      node.error(e);
      node.on('input', (_msg, _send, done) => done(new Error(`isa-alarm not configured: ${(e as Error).message}`)));
      return;
    }

    node.on('input', (msg, _send, done) => {
      const { samples, errors } = samplesFromMessage(msg);
      const mine: Sample[] = samples.filter((s) => watched.has(s.tag));
      // the evaluator wants time order; a stable sort keeps same-time samples as sent
      mine.sort((a, b) => a.ts - b.ts);
      try {
        if (mine.length) svc.evaluate(mine);
      } catch (e) {
        return done(e as Error);
      }
      if (errors.length) {
        invalid += errors.length;
        showStatus();
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        return done(new Error(`${errors[0].message}${more}; ${samples.length} valid sample(s) evaluated`));
      }
      done();
    });

    node.on('close', (removed, done) => {
      unsubscribe?.();
      unregister?.();
      try {
        // a redeploy keeps the states; deleting the node drops them (the journal stays)
        if (alarmServiceOf(RED) === svc) svc.removeGroup(group, { purge: removed === true });
      } catch (e) {
        node.error(e);
      }
      node.status({});
      done();
    });
  });
}
