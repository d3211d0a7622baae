/*
 * vc_valid.c — the value text formats of vc_valid.h. Kept apart from both
 * callers so that model defaults and query values are held to one
 * definition of "a date", "a time", "a UUID".
 */
#include "vc_valid.h"

#include "vc_text.h"

bool
vc_valid_digits(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!vc_ascii_isdigit((unsigned char) s[i]))
			return false;
	return true;
}

int
vc_digits_value(const char *s, size_t n)
{
	int			v = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

size_t
vc_utf8_chars(const char *s, size_t len)
{
	size_t		i,
				n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int
month_days(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

size_t
vc_valid_date(const char *s, size_t len, int *y, int *mo, int *d)
{
	if (len < 10 || !vc_valid_digits(s, 4) || s[4] != '-' ||
		!vc_valid_digits(s + 5, 2) || s[7] != '-' || !vc_valid_digits(s + 8, 2))
		return 0;
	*y = vc_digits_value(s, 4);
	*mo = vc_digits_value(s + 5, 2);
	*d = vc_digits_value(s + 8, 2);
	if (*y < 1 || *mo < 1 || *mo > 12 || *d < 1 || *d > month_days(*y, *mo))
		return 0;
	return 10;
}

size_t
vc_valid_time(const char *s, size_t len, int *h, int *mi, int *sec, long *micro)
{
	size_t		n;

	*sec = 0;
	*micro = 0;
	if (len < 5 || !vc_valid_digits(s, 2) || s[2] != ':' ||
		!vc_valid_digits(s + 3, 2))
		return 0;
	*h = vc_digits_value(s, 2);
	*mi = vc_digits_value(s + 3, 2);
	if (*h > 23 || *mi > 59)
		return 0;
	n = 5;
	if (n < len && s[n] == ':')
	{
		if (len < 8 || !vc_valid_digits(s + 6, 2) || vc_digits_value(s + 6, 2) > 59)
			return 0;
		*sec = vc_digits_value(s + 6, 2);
		n = 8;
		if (n < len && s[n] == '.')
		{
			int			f = 0;

			n++;
			while (n < len && vc_ascii_isdigit((unsigned char) s[n]) && f < 6)
			{
				*micro = *micro * 10 + (s[n] - '0');
				n++, f++;
			}
			if (f == 0)
				return 0;
			for (; f < 6; f++)
				*micro *= 10;
		}
	}
	return n;
}

/* The whole of z is empty, "Z", ±HH, ±HHMM or ±HH:MM: *offmin east of UTC. */
static bool
valid_zone(const char *z, size_t len, int *offmin)
{
	int			sign,
				oh,
				om = 0;

	*offmin = 0;
	if (len == 0)
		return true;
	if (z[0] == 'Z')
		return len == 1;
	if (z[0] != '+' && z[0] != '-')
		return false;
	sign = z[0] == '-' ? -1 : 1;
	z++, len--;
	if (len == 2 && vc_valid_digits(z, 2))
		oh = vc_digits_value(z, 2);
	else if (len == 4 && vc_valid_digits(z, 4))
		oh = vc_digits_value(z, 2), om = vc_digits_value(z + 2, 2);
	else if (len == 5 && vc_valid_digits(z, 2) && z[2] == ':' &&
			 vc_valid_digits(z + 3, 2))
		oh = vc_digits_value(z, 2), om = vc_digits_value(z + 3, 2);
	else
		return false;
	if (oh > 23 || om > 59)
		return false;
	*offmin = sign * (oh * 60 + om);
	return true;
}

bool
vc_valid_datetime(const char *s, size_t len, bool need_time, vc_datetime *dt)
{
	size_t		n,
				t;

	dt->hour = dt->minute = dt->second = 0;
	dt->micro = 0;
	dt->offmin = 0;
	if ((n = vc_valid_date(s, len, &dt->year, &dt->month, &dt->day)) == 0)
		return false;
	if (n == len)
		return !need_time;
	if (s[n] != 'T' && s[n] != ' ')
		return false;
	n++;
	t = vc_valid_time(s + n, len - n, &dt->hour, &dt->minute, &dt->second,
					  &dt->micro);
	if (t == 0)
		return false;
	n += t;
	return valid_zone(s + n, len - n, &dt->offmin);
}

bool
vc_valid_uuid(const char *s, size_t len)
{
	size_t		i;

	if (len != 36)
		return false;
	for (i = 0; i < 36; i++)
	{
		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
		}
		else if (!vc_ascii_isxdigit((unsigned char) s[i]))
			return false;
	}
	return true;
}

bool
vc_valid_hex_pairs(const char *s, size_t len)
{
	size_t		i;

	if (len % 2 != 0)
		return false;
	for (i = 0; i < len; i++)
		if (!vc_ascii_isxdigit((unsigned char) s[i]))
			return false;
	return true;
}
