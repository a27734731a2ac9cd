export const USAGE = `Usage: historian [--data-dir DIR] <command>

Works directly on the data directory (default ./data, or $HISTORIAN_DATA_DIR); the
server may be running at the same time.

Users
  user add <username> --role ROLE --name "Full Name" [--password-stdin [--temporary]] [--max-age-days N]
        ROLE is ADMIN, ENGINEER, OPERATOR, AUDITOR or SERVICE. Without --password-stdin a
        password is generated, printed once, and must be changed at first login
        (SERVICE accounts get none: they use API tokens); --temporary makes a password given
        on stdin change at first login too (passwords set through the API always do).
  user passwd <username> [--password-stdin | --generate] [--temporary]
        Sets a password (typed twice at a terminal, or from stdin). --generate prints a
        new one; --generate and --temporary make it change at the next login.
        Also ends the user's sessions and lifts a lockout.
  user disable <username>      user enable <username>      user unlock <username>
  user role <username> <ROLE>
  user list [--json]

API tokens
  token create --user USER --scopes ingest,query [--tags PATTERN] [--expires 90d|never] [--name NAME]
        Prints the token once on stdout (details on stderr). PATTERN is a NATS-style tag
        pattern such as 'acme.izmir.>'.
  token list [--user USER] [--json]
  token revoke <id>

Fleet (README "Scaling out")
  fleet gateway --id GATEWAY --site ENTERPRISE.SITE [--hub nats-leaf://hub1:7422,...] [--prefix hist]
        [--leaf-port 4222] [--account ACCOUNT] [--hub-ca FILE] [--out DIR]
        Writes the gateway's NATS configuration into DIR (default ./fleet/GATEWAY): leaf.conf
        (its leaf node), gateway.env (HISTORIAN_NATS_URL, HISTORIAN_NATS_NKEY_SEED) and the
        hub entries hub-client-user.conf / hub-leaf-user.conf. The gateway may publish only
        PREFIX.ENTERPRISE.SITE.> and sys.gateway.GATEWAY.health.

Backups (README "Backup and restore")
  backup verify <file.tar.gz> [--json]
        Tries an archive from POST /api/v1/system/backup (the Health page's Download backup)
        in a temporary directory: every database's integrity, the audit chain with the
        archive's own keys, each store opened and every sample read back. Exit 0 when it
        restores, 1 with the problems. The data directory is not touched.
  backup restore <file.tar.gz> <new-data-dir> [--json]
        Extracts the archive beside <new-data-dir>, checks it as verify does and only then
        moves it into place: the directory is the whole, checked installation or is not
        made. It must be new or empty. Start Historian on it with HISTORIAN_DATA_DIR.
`;
