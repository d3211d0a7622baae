-- regex.sql — viper_validate_regex_pattern(pattern) (DESIGN §7): a length
-- cap, no nested or ambiguous quantifiers, no backreferences; the pattern
-- comes back unchanged or viper[2201B] names the problem and its position.
-- Same inputs as sql/regex.sql.
-- accepted: returned unchanged
SELECT viper_validate_regex_pattern('^[a-z0-9_]+$');
SELECT viper_validate_regex_pattern('\d{3}-\d{4}');
SELECT viper_validate_regex_pattern('^$');
SELECT viper_validate_regex_pattern('abc');
SELECT viper_validate_regex_pattern('^[A-Z][a-z]*( [A-Z][a-z]*)?$');
SELECT viper_validate_regex_pattern('^\w+@\w+\.[a-z]{2,}$');
SELECT viper_validate_regex_pattern('(ab)+');
SELECT viper_validate_regex_pattern('(a|b)*');
SELECT viper_validate_regex_pattern('(cat|dog)s?');
SELECT viper_validate_regex_pattern('(?:x|y)z');
SELECT viper_validate_regex_pattern('[[:alpha:]]+');
SELECT viper_validate_regex_pattern('colou?r');
SELECT viper_validate_regex_pattern('^\s*$');
SELECT viper_validate_regex_pattern('a{1,3}b{2}');
SELECT viper_validate_regex_pattern('\.\*\+');
SELECT viper_validate_regex_pattern('[(]+');
SELECT viper_validate_regex_pattern('^https?://[^/]+/');
-- (a+b)+ cannot backtrack badly (each repetition ends at a b) but core's
-- check is conservative about a quantifier inside a repeated group
SELECT viper_validate_regex_pattern('(a+b)+');
SELECT viper_validate_regex_pattern(NULL), viper_validate_regex_pattern(''), typeof(viper_validate_regex_pattern(''));
-- rejected
SELECT viper_validate_regex_pattern('(a+)+');
SELECT viper_validate_regex_pattern('(a*)*');
SELECT viper_validate_regex_pattern('(.*)*');
SELECT viper_validate_regex_pattern('(a|a)*');
SELECT viper_validate_regex_pattern('(a|ab)*c');
SELECT viper_validate_regex_pattern('(a+)*');
SELECT viper_validate_regex_pattern('(a*)+');
SELECT viper_validate_regex_pattern('([a-z]+)*$');
SELECT viper_validate_regex_pattern('(\d+)+x');
SELECT viper_validate_regex_pattern('((ab)*)*');
SELECT viper_validate_regex_pattern('(a|)*');
SELECT viper_validate_regex_pattern('(x+x+)+y');
SELECT viper_validate_regex_pattern('(a)\1');
SELECT viper_validate_regex_pattern('(a)(b)\2');
SELECT viper_validate_regex_pattern('(');
SELECT viper_validate_regex_pattern(')');
SELECT viper_validate_regex_pattern('[a-z');
SELECT viper_validate_regex_pattern('a\');
SELECT viper_validate_regex_pattern('*a');
SELECT viper_validate_regex_pattern('a{3,1}');
SELECT viper_validate_regex_pattern('a**');
-- an embedded NUL is rejected, not cut short
SELECT viper_validate_regex_pattern('a' || char(0) || '(a+)+');
-- the length cap is 1000 bytes
SELECT length(viper_validate_regex_pattern(printf('%.1000c', 'a')));
SELECT length(viper_validate_regex_pattern(printf('%.1001c', 'a')));
-- message, DETAIL and HINT
SELECT viper_validate_regex_pattern('(a+)+');
SELECT viper_validate_regex_pattern('(a|ab)*c');
SELECT viper_validate_regex_pattern('(a)\1');
SELECT viper_validate_regex_pattern('[a-z');
-- wrong arity
SELECT viper_validate_regex_pattern();
SELECT viper_validate_regex_pattern('a', 'b');
