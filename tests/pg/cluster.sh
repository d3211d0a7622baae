# tests/pg/cluster.sh — a throwaway PostgreSQL cluster for tests. Source it:
#
#   . tests/pg/cluster.sh
#   viper_pg_start || exit 1
#   trap viper_pg_stop EXIT
#
# viper_pg_start creates a cluster in a fresh temporary directory owned by an
# unprivileged user (PostgreSQL refuses to run as root: as root the server
# runs as `postgres`, otherwise as the current user), trust authentication,
# no TCP (listen_addresses='') and its Unix socket inside that directory,
# fsync off, byte-order collation (C) with Unicode case mapping (LC_CTYPE
# C.UTF-8, so ILIKE, lower() and ~* fold 'Ä' like 'ä': the query tests check
# it). It exports PGHOST (the socket directory), PGPORT, PGUSER,
# PGDATABASE and VIPER_PG_DIR. viper_pg_stop stops it and removes the
# directory; calling it twice, or without a cluster, is harmless.
# The server binaries are those of ${PG_CONFIG:-pg_config} --bindir.

# Run a command as the cluster's owner.
_viper_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A port nothing listens on (the socket lives in a private directory, but a
# port in use on 127.0.0.1 would confuse anyone who later enables TCP).
_viper_pg_free_port() {
	local port
	for port in $(seq $((54320 + RANDOM % 500)) 55999); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

viper_pg_start() {
	local bindir dir port tries
	bindir=$("${PG_CONFIG:-pg_config}" --bindir) || { echo "viper_pg_start: pg_config not found" >&2; return 1; }
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "viper_pg_start: running as root needs a 'postgres' user" >&2
		return 1
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/viper-pg.XXXXXX") || return 1
	export VIPER_PG_DIR=$dir
	chmod 700 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
	fi
	if ! _viper_pg_as_owner "$bindir/initdb" -D "$dir/data" --auth=trust \
		-U postgres --no-sync -E UTF8 --locale=C --lc-ctype=C.UTF-8 >"$dir/initdb.log" 2>&1; then
		echo "viper_pg_start: initdb failed:" >&2
		cat "$dir/initdb.log" >&2
		viper_pg_stop
		return 1
	fi
	# the chosen port can be taken between the probe and the start: retry
	for tries in 1 2 3 4 5; do
		port=$(_viper_pg_free_port) || break
		if _viper_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
			-o "-c listen_addresses='' -k $dir -p $port -c fsync=off" \
			-w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
			export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
			for tries in $(seq 1 60); do
				if "$bindir/pg_isready" -q -h "$PGHOST" -p "$PGPORT"; then
					return 0
				fi
				sleep 0.5
			done
			break
		fi
	done
	echo "viper_pg_start: server did not start:" >&2
	cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null
	viper_pg_stop
	return 1
}

viper_pg_stop() {
	local dir=${VIPER_PG_DIR:-}
	[ -n "$dir" ] || return 0
	if [ -f "$dir/data/postmaster.pid" ]; then
		_viper_pg_as_owner "$("${PG_CONFIG:-pg_config}" --bindir)/pg_ctl" -D "$dir/data" \
			-m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	unset VIPER_PG_DIR PGHOST PGPORT PGUSER PGDATABASE
	return 0
}
