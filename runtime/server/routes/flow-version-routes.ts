// Flow versions through the API (runtime/flow-versions): the list, one version (export as
// JSON), a readable diff between any two, and restore. A restore is a deploy: the route
// checks the version (stored, intact, every node type installed: 404 / 409 / 422 naming
// what is wrong) and then hands the version's flows to the deploy path — the signature
// guard (flows.restore when deploys are signed, plus any critical change the restore
// brings back), Node-RED's deploy, the audit trail and a new version recording it.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CRITICAL } from '../../audit';
import { CRITICAL_NODE_RULES } from '../../audit';
import { FlowVersionError, type FlowNode, type FlowVersionStore } from '../../flow-versions';
import { defineRoute, HttpError, type RouteDef } from '../api/route';

export interface FlowVersionRouteDeps {
  versions: () => FlowVersionStore;
  /** Whether Node-RED has this node type installed. */
  isInstalled: (type: string) => boolean;
  /** Deploys the flows as a restore of `version` through the deploy guard; writes the response. */
  deploy: (req: Request, res: Response, flows: FlowNode[], version: number) => void;
}

const versionParam = z.object({ version: z.coerce.number().int().positive() });
const STATUS = { not_found: 404, corrupt: 409, not_restorable: 422, invalid: 400 } as const;

function asHttp(e: unknown): never {
  if (e instanceof FlowVersionError) throw new HttpError(STATUS[e.code], e.code, e.message, e.detail);
  throw e;
}

export function flowVersionRoutes(deps: FlowVersionRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/flows/versions', group: 'flows', permission: 'flows.read',
      summary: 'Stored flow versions, newest first: who deployed, when, signature, restored-from, change summary; a damaged file is listed with what is wrong',
      handler: () => {
        try {
          return { keep: deps.versions().keep, versions: deps.versions().list() };
        } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'get', path: '/flows/versions/:version', group: 'flows', permission: 'flows.read',
      summary: 'One flow version with its flows (Node-RED JSON, no credentials); download=true sends it as a file to import',
      params: versionParam, query: z.object({ download: z.enum(['true', 'false']).optional() }),
      handler: ({ params, query, res }) => {
        try {
          const v = deps.versions().get(params.version);
          if (query.download === 'true') {
            res.setHeader('Content-Disposition', `attachment; filename="flows-v${v.version}.json"`);
            res.type('application/json').send(JSON.stringify(v.flows, null, 2));
            return undefined;
          }
          return v;
        } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'get', path: '/flows/versions/:from/diff/:to', group: 'flows', permission: 'flows.read',
      summary: 'What changed from one flow version to another: nodes added, removed, and changed with each property before and after',
      params: z.object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() }),
      handler: ({ params }) => {
        try {
          return deps.versions().diff(params.from, params.to);
        } catch (e) { asHttp(e); }
      },
    }),
    defineRoute({
      method: 'post', path: '/flows/versions/:version/restore', group: 'flows', permission: 'flows.write',
      summary: 'Restore a flow version: deployed as a full deploy through the signature guard (signed flows.restore when deploys are signed, and any critical change it brings back); 422 when a node type it uses is not installed',
      signs: [CRITICAL.flowsRestore, ...CRITICAL_NODE_RULES.map((r) => r.action)],
      params: versionParam,
      response: { description: 'Node-RED\'s deploy answer ({ rev }); the restore is stored as a new version with restoredFrom' },
      handler: ({ params, req, res }) => {
        let flows: FlowNode[];
        try {
          flows = deps.versions().restorable(params.version, deps.isInstalled).flows;
        } catch (e) { asHttp(e); }
        deps.deploy(req, res, flows, params.version);
        return undefined;
      },
    }),
  ];
}
