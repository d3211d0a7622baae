# tests/diff/compare.awk — verdicts of the differential test.
#
#   awk -v host=pg -v specs=SPECS.tsv -f compare.awk OUTPUT
#
# SPECS.tsv is `gen specs <host>` (n, kind, model, spec, hand SQL per line);
# OUTPUT is what the client printed for `gen script <host>` with stdout and
# stderr in one stream: markers "<n>|m|v" / "<n>|m|h", data lines
# "<n>|v|<sig>" / "<n>|h|<sig>", and anything else (an error message) is
# charged to the statement of the last marker.
#
# Prints "PASS diff/<host>/<n>" or "FAIL diff/<host>/<n>" per spec — on
# failure with the spec, the hand SQL, both outputs (row counts and the
# first rows from the first difference on) and any error text — then a
# summary line. Exit status 1 when any spec failed or none ran.
BEGIN {
	nspec = 0
	while ((getline line < specs) > 0) {
		split(line, f, "\t")
		n = f[1]
		nspec++
		order[nspec] = n
		kind[n] = f[2]
		model[n] = f[3]
		spec[n] = f[4]
		hand[n] = f[5]
	}
	close(specs)
	ctx = ""
}

{
	line = $0
	if (line ~ /^[0-9]+\|m\|[vh]$/) {
		split(line, p, "|")
		ctx = p[1] SUBSEP p[3]
		seen[ctx] = 1
		next
	}
	if (line ~ /^[0-9]+\|[vh]\|/) {
		i = index(line, "|")
		n = substr(line, 1, i - 1)
		side = substr(line, i + 1, 1)
		key = n SUBSEP side
		cnt[key]++
		rows[key, cnt[key]] = substr(line, i + 3)
		next
	}
	if (ctx != "")
		err[ctx] = err[ctx] "      " line "\n"
	else
		preamble = preamble "      " line "\n"
}

function show(n, side, from,    key, k, last, label, suffix) {
	key = n SUBSEP side
	label = (side == "v") ? "viper" : "hand SQL"
	suffix = (from > 1) ? sprintf(", from row %d:", from) : ":"
	printf "    %s: %d row(s)%s\n", label, cnt[key] + 0, suffix
	last = from + 7
	for (k = from; k <= cnt[key] && k <= last; k++)
		printf "      %s\n", rows[key, k]
	if (cnt[key] > last)
		printf "      ... (%d more)\n", cnt[key] - last
}

END {
	pass = 0
	fail = 0
	if (preamble != "") {
		printf "output before the first spec:\n%s", preamble
	}
	for (s = 1; s <= nspec; s++) {
		n = order[s]
		kv = n SUBSEP "v"
		kh = n SUBSEP "h"
		why = ""
		if (!(kv in seen) || !(kh in seen))
			why = "a statement did not run (the script stopped early?)"
		else if (err[kv] != "" || err[kh] != "")
			why = "error"
		else if (cnt[kv] + 0 != cnt[kh] + 0)
			why = "row counts differ"
		first = 0
		if (why == "") {
			for (k = 1; k <= cnt[kv]; k++)
				if (rows[kv, k] != rows[kh, k]) {
					first = k
					why = "rows differ"
					break
				}
		}
		if (why == "") {
			pass++
			printf "PASS diff/%s/%s\n", host, n
			continue
		}
		fail++
		printf "FAIL diff/%s/%s (%s on %s): %s\n", host, n, kind[n], model[n], why
		printf "    spec: %s\n", spec[n]
		printf "    hand: %s\n", hand[n]
		if (err[kv] != "")
			printf "    viper error:\n%s", err[kv]
		if (err[kh] != "")
			printf "    hand SQL error:\n%s", err[kh]
		if (first == 0) {
			# first position where the sides differ (also for count mismatches)
			first = 1
			while (first <= cnt[kv] && first <= cnt[kh] && rows[kv, first] == rows[kh, first])
				first++
		}
		show(n, "v", first > 3 ? first - 2 : 1)
		show(n, "h", first > 3 ? first - 2 : 1)
	}
	printf "diff/%s: %d passed, %d failed of %d specs\n", host, pass, fail, nspec
	exit (fail > 0 || pass == 0) ? 1 : 0
}
