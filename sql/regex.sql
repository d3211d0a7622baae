--
-- regex: viper.validate_regex_pattern rejects invalid patterns and those
-- inviting catastrophic backtracking (nested quantifiers, ambiguous
-- repeated alternations, backreferences, over-long patterns) with 2201B.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;

-- accepted: returned unchanged, and PostgreSQL compiles every one of them
SELECT p AS pattern, viper.validate_regex_pattern(p) = p AS accepted,
       'probe' ~ p IS NOT NULL AS compiles
FROM unnest(ARRAY[
	'^[a-z0-9_]+$',
	'\d{3}-\d{4}',
	'^$',
	'abc',
	'^[A-Z][a-z]*( [A-Z][a-z]*)?$',
	'^\w+@\w+\.[a-z]{2,}$',
	'(ab)+',
	'(a|b)*',
	'(cat|dog)s?',
	'(?:x|y)z',
	'[[:alpha:]]+',
	'colou?r',
	'^\s*$',
	'a{1,3}b{2}',
	'\.\*\+',
	'[(]+',
	'^https?://[^/]+/']) AS p;
SELECT viper.validate_regex_pattern(NULL) AS null_pattern,
       viper.validate_regex_pattern('') AS empty_pattern;

-- rejected (a repeated group whose body repeats is refused even when a
-- later token such as the b of (a+b)+ limits the ambiguity: conservative)
SELECT p AS pattern, pg_temp.try(format('SELECT viper.validate_regex_pattern(%L)', p)) AS result
FROM unnest(ARRAY[
	'(a+)+',
	'(a*)*',
	'(.*)*',
	'(a|a)*',
	'(a|ab)*c',
	'(a+)*',
	'(a*)+',
	'([a-z]+)*$',
	'(\d+)+x',
	'((ab)*)*',
	'(a|)*',
	'(x+x+)+y',
	'(a+b)+',
	'(a)\1',
	'(a)(b)\2',
	'(',
	')',
	'[a-z',
	'a\',
	'*a',
	'a{3,1}',
	'a**']) AS p;
SELECT pg_temp.try(format('SELECT length(viper.validate_regex_pattern(%L))::text', repeat('a', 1000))) AS at_limit;
SELECT pg_temp.try(format('SELECT length(viper.validate_regex_pattern(%L))::text', repeat('a', 1001))) AS over_limit;

-- as psql shows them
SELECT viper.validate_regex_pattern('(a+)+');
SELECT viper.validate_regex_pattern('(a|ab)*c');
SELECT viper.validate_regex_pattern('(a)\1');
SELECT viper.validate_regex_pattern('[a-z');
