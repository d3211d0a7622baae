/*
 * conn.c — viper's per-connection state in the SQLite host.
 *
 * sqlite3_viper_init creates one viper_sqlite_conn per connection and
 * hands it to every function it registers as user data, with
 * viper_sqlite_conn_release as destructor: each registration holds a
 * reference, and the state is freed when the last function using it goes
 * (when the connection closes, or every function is replaced). Loading
 * the extension twice on one connection simply replaces the old state.
 * Nothing is static, so two connections never share state.
 *
 * The state also owns the connection's commit and rollback hooks: SQLite
 * keeps one of each per connection, and viper needs them to forget what
 * belongs to a transaction when it ends (patch claims, patches.c; a
 * principal set inside BEGIN and a bypass, permissions.c). An
 * application that installs its own hook on a connection with viper
 * loaded replaces viper's; docs/patches.md says so. On close, SQLite rolls
 * back before it destroys the functions, so the hooks never see freed
 * state; when the state goes earlier the hooks are removed first.
 */
#include "viper_sqlite.h"
#include "engine.h"

/* Commit hook: the transaction is ending; never turns it into a rollback. */
static int
conn_commit_hook(void *arg)
{
	viper_sqlite_patches_txn_end((viper_sqlite_conn *) arg);
	viper_sqlite_perm_txn_end((viper_sqlite_conn *) arg);
	return 0;
}

static void
conn_rollback_hook(void *arg)
{
	viper_sqlite_patches_txn_end((viper_sqlite_conn *) arg);
	viper_sqlite_perm_txn_end((viper_sqlite_conn *) arg);
}

viper_sqlite_conn *
viper_sqlite_conn_new(sqlite3 *db)
{
	viper_sqlite_conn *conn = sqlite3_malloc64(sizeof(viper_sqlite_conn));

	if (conn == NULL)
		return NULL;
	conn->refs = 1;				/* the caller's, dropped after registering */
	conn->db = db;
	conn->claims = NULL;
	conn->engine = NULL;
	conn->principal = NULL;
	conn->roles = NULL;
	conn->principal_txn = false;
	conn->bypass_txn = false;
	return conn;
}

/*
 * Called once every function is registered: a state left by an earlier
 * load of the extension has been released by then (replacing a function
 * destroys its user data), so its cleanup cannot remove these hooks.
 */
void
viper_sqlite_conn_install_hooks(viper_sqlite_conn *conn)
{
	sqlite3_commit_hook(conn->db, conn_commit_hook, conn);
	sqlite3_rollback_hook(conn->db, conn_rollback_hook, conn);
}

void
viper_sqlite_conn_retain(viper_sqlite_conn *conn)
{
	conn->refs++;
}

void
viper_sqlite_conn_release(void *arg)
{
	viper_sqlite_conn *conn = (viper_sqlite_conn *) arg;

	if (conn == NULL || --conn->refs > 0)
		return;
	/* the hooks point at conn: they must not outlive it */
	sqlite3_commit_hook(conn->db, NULL, NULL);
	sqlite3_rollback_hook(conn->db, NULL, NULL);
	viper_sqlite_patches_txn_end(conn);
	viper_sqlite_perm_clear(conn);
	viper_engine_detach(conn->engine);	/* finalizes its statements */
	sqlite3_free(conn);
}
