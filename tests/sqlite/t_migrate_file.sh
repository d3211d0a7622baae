#!/usr/bin/env bash
# t_migrate_file.sh — viper_migrate on a database file shared by several
# processes (what a transcript on :memory: cannot show):
#   1. six sqlite3 processes migrate the blog example at the same moment:
#      none sees an error, exactly one creates the tables (BEGIN IMMEDIATE
#      is taken before the catalog is read, so the others wait for it and
#      then find nothing to do), and all leave the same schema;
#   2. a new process finds nothing to do ([]);
#   3. a rebuild of a parent table run by another process, with foreign
#      keys on, keeps the rows of the child and junction tables, and the
#      foreign keys still hold afterwards in yet another process.
# Usage: t_migrate_file.sh SCRATCH_DIR (SQLITE3 and VIPER_EXT exported by
# tests/sqlite/run.sh). Exit 0 = pass.
set -euo pipefail

dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
db="$dir/blog.db"
: "${SQLITE3:?}" "${VIPER_EXT:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }

# one sqlite3 process on the file; a generous busy timeout so concurrent
# writers queue on the lock instead of failing
sq() {
  "$SQLITE3" -batch -cmd ".timeout 30000" -cmd ".load '$VIPER_EXT'" "$db" "$@"
}

schemas="'[' || readfile('$root/examples/blog/schemas/Author.json') || ','
  || readfile('$root/examples/blog/schemas/Comment.json') || ','
  || readfile('$root/examples/blog/schemas/Post.json') || ','
  || readfile('$root/examples/blog/schemas/SiteSettings.json') || ','
  || readfile('$root/examples/blog/schemas/Tag.json') || ']'"

# a fresh file with the catalog installed, so the six start equal
sq "SELECT 1;" > /dev/null

# 1. six migrators at once
pids=()
for i in 1 2 3 4 5 6; do
  sq "SELECT json_array_length(viper_migrate($schemas));" \
    > "$dir/out.$i" 2> "$dir/err.$i" &
  pids+=($!)
done
for p in "${pids[@]}"; do
  wait "$p" || true
done
creators=0
for i in 1 2 3 4 5 6; do
  if [ -s "$dir/err.$i" ]; then
    cat "$dir/err.$i" >&2
    fail "migrator $i reported an error"
  fi
  n=$(cat "$dir/out.$i")
  case $n in
    0) ;;
    ''|*[!0-9]*) fail "migrator $i printed '$n'" ;;
    *) creators=$((creators + 1)) ;;
  esac
done
[ "$creators" -eq 1 ] || fail "$creators migrators applied operations (want 1)"
echo "ok: six concurrent migrators, one applied the operations"

# 2. another process: nothing to do, the catalog holds every model
got=$(sq "SELECT viper_migrate($schemas);")
[ "$got" = "[]" ] || fail "second migrate returned $got"
got=$(sq "SELECT group_concat(label, ' ') FROM (SELECT label FROM viper_models ORDER BY label);")
[ "$got" = "blog.Author blog.Comment blog.Post blog.SiteSettings blog.Tag" ] ||
  fail "catalog holds: $got"
echo "ok: second migrate returned []"

# 3. data, then a rebuild of blog_author (the parent of blog_post and
#    blog_comment) by another process with foreign keys on
sq <<'SQL' || fail "could not insert the data"
PRAGMA foreign_keys = ON;
INSERT INTO blog_author (name, email) VALUES ('Ann', 'ann@example.com'), ('Bob', 'bob@example.com');
INSERT INTO blog_tag (name, slug) VALUES ('c', 'c'), ('sql', 'sql');
INSERT INTO blog_post (title, slug, body, author_id)
  SELECT 'Post by ' || name, lower(name), 'text', id FROM blog_author;
INSERT INTO blog_post_tags (post_id, tag_id) SELECT p.id, t.id FROM blog_post p, blog_tag t;
INSERT INTO blog_comment (post_id, author_id, body) SELECT id, author_id, 'nice' FROM blog_post;
SQL
counts="SELECT (SELECT count(*) FROM blog_author) || ' ' || (SELECT count(*) FROM blog_post)
  || ' ' || (SELECT count(*) FROM blog_post_tags) || ' ' || (SELECT count(*) FROM blog_comment);"
before=$(sq "$counts")
[ "$before" = "2 2 4 2" ] || fail "unexpected data: $before"

# Author.name widened from 100 to 150 characters: a rebuild of blog_author
wider=${schemas/"readfile('$root/examples/blog/schemas/Author.json')"/"replace(readfile('$root/examples/blog/schemas/Author.json'), '\"max_length\": 100', '\"max_length\": 150')"}
ops=$(sq -cmd "PRAGMA foreign_keys = ON" "SELECT viper_migrate($wider);")
case $ops in
  *'"op":"AlterColumn"'*'"target":"blog.Author.name"'*) ;;
  *) fail "the rebuild migrate returned $ops" ;;
esac
after=$(sq "$counts")
[ "$after" = "$before" ] || fail "rows changed by the rebuild: $before -> $after"
got=$(sq "SELECT viper_introspect('blog_author') ->> '\$.checks[0].expression';")
case $got in
  *150*) ;;
  *) fail "blog_author was not rebuilt: $got" ;;
esac
echo "ok: rebuilding the parent kept the rows of its children ($after)"

# the foreign keys still hold, in a new process: PROTECT refuses to delete
# an author with posts, CASCADE removes a post's comments and tag links
out=$(sq -cmd "PRAGMA foreign_keys = ON" "DELETE FROM blog_author WHERE name = 'Ann';" 2>&1 || true)
case $out in
  *"FOREIGN KEY constraint failed"*) ;;
  *) fail "deleting an author with posts gave: $out" ;;
esac
got=$(sq -cmd "PRAGMA foreign_keys = ON" \
  "DELETE FROM blog_post WHERE slug = 'ann'; $counts")
[ "$got" = "2 1 2 1" ] || fail "after deleting a post: $got"
got=$(sq "PRAGMA foreign_key_check;")
[ -z "$got" ] || fail "foreign_key_check reports: $got"
echo "ok: foreign keys still enforced after the rebuild"

# a process inside a transaction is refused, and changes nothing
out=$(sq "BEGIN; SELECT viper_migrate($schemas); ROLLBACK;" 2>&1 || true)
case $out in
  *"viper[25001]: viper_migrate must be called on its own in autocommit mode"*) ;;
  *) fail "migrate inside BEGIN gave: $out" ;;
esac
echo "ok: refused inside a transaction"
