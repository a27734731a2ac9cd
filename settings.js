/**
 * Node-RED settings of the Historian distribution.
 *
 * Our own options live under the `historian` key. Every one of them can be overridden by
 * an environment variable HISTORIAN_* (see the table in README.md); secrets come from the
 * environment or from files in the data directory, never from flows or git.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const env = process.env;

function str(name, fallback) {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}
function int(name, fallback, min, max) {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer between ${min} and ${max} (got "${v}")`);
  return n;
}
function bool(name, fallback) {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`${name}: must be true or false (got "${v}")`);
}

const dataDir = path.resolve(str('HISTORIAN_DATA_DIR', path.join(process.cwd(), 'data')));
const secretsDir = path.join(dataDir, 'secrets');

/** A random secret kept in the data directory, created on first use (mode 0600). */
function dataSecret(file) {
  const p = path.join(secretsDir, file);
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const secret = crypto.randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(p, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (e) {
    if (e.code === 'EEXIST') return fs.readFileSync(p, 'utf8').trim();
    throw e;
  }
}

module.exports = {
  // --- Node-RED -------------------------------------------------------------------------
  uiPort: int('HISTORIAN_PORT', 1880, 0, 65535),
  uiHost: str('HISTORIAN_HOST', '0.0.0.0'),
  userDir: dataDir,
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret: str('HISTORIAN_CREDENTIAL_SECRET', undefined) || dataSecret('credential-secret'),
  httpAdminRoot: '/editor',
  // Flows' own HTTP endpoints (http-in nodes) live under /http so they never shadow the
  // dashboard at / or the API at /api/v1.
  httpNodeRoot: '/http',
  // Our nodes and editor plugins: Node-RED loads this package as a node module.
  nodesDir: [__dirname],
  functionExternalModules: false,
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  diagnostics: { enabled: true, ui: false },
  runtimeState: { enabled: false, ui: false },
  telemetry: { enabled: false },
  logging: {
    console: { level: str('HISTORIAN_LOG_LEVEL', 'info'), metrics: false, audit: false },
  },
  editorTheme: {
    page: { title: 'Historian' },
    header: { title: 'Historian', url: '/' },
    // Off: a Projects checkout or pull replaces the running flows without a deploy request,
    // so it would pass neither the signature guard nor the audit trail. Every deploy is kept
    // as a flow version instead (README "Working in the editor": export a version to git).
    projects: { enabled: false },
    tours: false,
    palette: {
      catalogues: [],
      // Historian's nodes first; colours per family: storage (blue-grey), alarms and audit
      // (red), analytics (lilac), connectivity (amber), uplink (teal) — README "Working in the editor"
      categories: {
        order: ['historian', 'subflows', 'common', 'function', 'network', 'sequence', 'parser', 'storage'],
        descriptions: { historian: 'Historian: storage, alarms and audit, analytics, connectivity, uplink' },
      },
    },
  },

  // --- Historian ------------------------------------------------------------------------
  historian: {
    dataDir,
    port: int('HISTORIAN_PORT', 1880, 0, 65535),
    host: str('HISTORIAN_HOST', '0.0.0.0'),
    /** Installed into an empty data directory on first start. */
    demoFlow: str('HISTORIAN_DEMO_FLOW', path.join(__dirname, 'flows', 'demo-plant.json')),
    shutdownTimeoutMs: int('HISTORIAN_SHUTDOWN_TIMEOUT_MS', 15000, 100, 600000),
    nats: {
      url: str('HISTORIAN_NATS_URL', ''),
      user: str('HISTORIAN_NATS_USER', ''),
      password: str('HISTORIAN_NATS_PASSWORD', ''),
      token: str('HISTORIAN_NATS_TOKEN', ''),
      nkeySeed: str('HISTORIAN_NATS_NKEY_SEED', ''),
      credsFile: str('HISTORIAN_NATS_CREDS', ''),
      // TLS: a tls:// URL or a CA file turns it on; cert + key for mutual TLS
      caFile: str('HISTORIAN_NATS_CA', ''),
      certFile: str('HISTORIAN_NATS_CERT', ''),
      keyFile: str('HISTORIAN_NATS_KEY', ''),
    },
    mqtt: {
      url: str('HISTORIAN_MQTT_URL', ''),
      username: str('HISTORIAN_MQTT_USER', ''),
      password: str('HISTORIAN_MQTT_PASSWORD', ''),
      // 5, or 3.1.1 for brokers without MQTT 5 (3.1.1 cannot tell a refused publish from a delivered one)
      version: str('HISTORIAN_MQTT_VERSION', '5'),
      // TLS: an mqtts:// URL; CA file for a private CA, cert + key for mutual TLS
      caFile: str('HISTORIAN_MQTT_CA', ''),
      certFile: str('HISTORIAN_MQTT_CERT', ''),
      keyFile: str('HISTORIAN_MQTT_KEY', ''),
    },
    s3: {
      endpoint: str('HISTORIAN_S3_ENDPOINT', ''),
      region: str('HISTORIAN_S3_REGION', 'us-east-1'),
      bucket: str('HISTORIAN_S3_BUCKET', ''),
      prefix: str('HISTORIAN_S3_PREFIX', 'historian/'),
      forcePathStyle: bool('HISTORIAN_S3_PATH_STYLE', true),
      // credentials: HISTORIAN_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN or the
      // standard AWS_* variables, read from the environment by the tier mover, never stored here
    },
    /** every deploy's flows are kept as a version (editor: Historian sidebar → Versions); the newest `keep` stay */
    flowVersions: {
      keep: int('HISTORIAN_FLOW_VERSIONS_KEEP', 100, 1, 100000),
    },
    // Scheduled backups (README "Backup and restore"): none unless a directory is given
    backup: {
      dir: str('HISTORIAN_BACKUP_DIR', ''),
      everyHours: int('HISTORIAN_BACKUP_EVERY_HOURS', 24, 1, 8760),
      keep: int('HISTORIAN_BACKUP_KEEP', 7, 1, 1000),
    },
    storage: {
      /**
       * Memory each historian store may use (MiB): half for recent data (cut into blocks
       * earlier when full), the rest for caches of block indexes and rollups. 0: no limit.
       */
      memoryLimitMb: int('HISTORIAN_MEMORY_LIMIT_MB', 256, 0, 1048576),
    },
    process: {
      /**
       * Heap pages (MiB) V8 may keep after a burst before they are given back: past this, a
       * last-resort collection releases them (README "Memory"). 0: never.
       */
      heapTrimMb: int('HISTORIAN_HEAP_TRIM_MB', 64, 0, 1048576),
    },
    ingest: {
      /** HTTP ingest rate limit per API token (burst: twice this) */
      samplesPerSecond: int('HISTORIAN_INGEST_RATE', 500000, 1, 100000000),
      /** samples stamped further ahead of the server clock are refused (every ingest path) */
      maxClockSkewSeconds: int('HISTORIAN_MAX_CLOCK_SKEW_S', 300, 0, 31536000),
      /** cardinality limits per store (README "Limits"); 0 switches a limit off */
      maxTags: int('HISTORIAN_MAX_TAGS', 250000, 0, 100000000),
      maxNewTagsPerMinute: int('HISTORIAN_MAX_NEW_TAGS_PER_MINUTE', 20000, 0, 100000000),
      /** new tags one API token may create per minute over HTTP ingest */
      maxNewTagsPerTokenPerMinute: int('HISTORIAN_MAX_NEW_TAGS_PER_TOKEN_PER_MINUTE', 10000, 0, 100000000),
      /** tags one API token may create in total over HTTP ingest (kept across restarts) */
      maxTagsPerToken: int('HISTORIAN_MAX_TAGS_PER_TOKEN', 100000, 0, 100000000),
    },
    /** HTTPS for the dashboard, API, WebSocket and editor (README: Transport security) */
    tls: {
      /** off | files (certFile + keyFile) | self-signed (generated into <data>/tls on first start); files when a certificate is given */
      mode: str('HISTORIAN_TLS', env.HISTORIAN_TLS_CERT ? 'files' : 'off'),
      certFile: str('HISTORIAN_TLS_CERT', ''),
      keyFile: str('HISTORIAN_TLS_KEY', ''),
      /** host names / IP addresses of a generated certificate, comma-separated (default: localhost, 127.0.0.1, ::1 and the machine's host name) */
      hostnames: str('HISTORIAN_TLS_HOSTNAMES', ''),
      /** a plain-HTTP port that answers every request with a redirect to HTTPS (0 = none) */
      redirectPort: int('HISTORIAN_HTTP_REDIRECT_PORT', 0, 0, 65535),
      /** Strict-Transport-Security max-age in seconds while TLS is on (0 = no HSTS) */
      hstsMaxAge: int('HISTORIAN_HSTS_MAX_AGE', 15552000, 0, 63072000),
    },
    // Built-in system alarms (ISA-18.2, shown in the alarm console): a store-and-forward
    // buffer with more pending / quarantined entries than these, a data disk with less free
    // space, a device connection down for longer; health is looked at every intervalMs.
    /** low-space watermark of the data disk: new writes refused (507) below the smaller of the two (README "Disk pressure"); 0 switches one off */
    disk: {
      minFreePercent: int('HISTORIAN_DISK_MIN_FREE_PERCENT', 5, 0, 99),
      minFreeMb: int('HISTORIAN_DISK_MIN_FREE_MB', 500, 0, 10000000),
    },
    // Central fleet view: watch the gateways' heartbeats (needs historian.nats)
    fleet: {
      monitor: bool('HISTORIAN_FLEET_MONITOR', false),
      offlineAfterSeconds: int('HISTORIAN_FLEET_OFFLINE_SECONDS', 30, 1, 86400),
      backlogGrowthSeconds: int('HISTORIAN_FLEET_BACKLOG_GROWTH_SECONDS', 300, 1, 604800),
    },
    systemAlarms: {
      bufferPending: int('HISTORIAN_ALARM_BUFFER_PENDING', 100, 0, 1e9),
      bufferFailed: int('HISTORIAN_ALARM_BUFFER_FAILED', 0, 0, 1e9),
      diskFreePercent: int('HISTORIAN_ALARM_DISK_FREE_PERCENT', 10, 0, 100),
      deviceDownSeconds: int('HISTORIAN_ALARM_DEVICE_DOWN_SECONDS', 60, 1, 86400),
      intervalMs: int('HISTORIAN_HEALTH_INTERVAL_MS', 5000, 100, 3600000),
    },
    security: {
      adminPassword: str('HISTORIAN_ADMIN_PASSWORD', ''),
      sessionIdleMinutes: int('HISTORIAN_SESSION_IDLE_MINUTES', 30, 1, 10080),
      sessionMaxHours: int('HISTORIAN_SESSION_MAX_HOURS', 12, 1, 720),
      /** Argon2id password hashing (README: Security); the pair must reach OWASP's minimum */
      argon2MemoryKiB: int('HISTORIAN_ARGON2_MEMORY_KIB', 19456, 7168, 1048576),
      argon2Passes: int('HISTORIAN_ARGON2_PASSES', 2, 1, 100),
      /** bcrypt cost where Node has no crypto.argon2 (before 24.7) */
      bcryptCost: int('HISTORIAN_BCRYPT_COST', 12, 12, 31),
      requireSignedDeploys: bool('HISTORIAN_SIGNED_DEPLOYS', false),
      /** reverse proxy whose X-Forwarded-For is believed (address, subnet, "loopback" or hop count); empty: the socket address */
      trustProxy: str('HISTORIAN_TRUST_PROXY', ''),
    },
  },
};
