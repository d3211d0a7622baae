-- docs/queries-shop.sql — the catalog and rows the sessions of
-- docs/queries.md read:
-- each session starts with `\i docs/queries-shop.sql` (psql runs from the
-- repository root). Prints nothing.
SELECT count(*) AS migrated FROM viper.migrate('[
  {"app": "shop", "name": "Maker", "fields": [
    {"name": "name", "type": "CharField", "max_length": 40}],
   "meta": {"ordering": ["name"]}},
  {"app": "shop", "name": "Product", "fields": [
    {"name": "title", "type": "CharField", "max_length": 80},
    {"name": "price", "type": "DecimalField", "max_digits": 8, "decimal_places": 2, "null": true},
    {"name": "stock", "type": "IntegerField", "default": 0},
    {"name": "maker", "type": "ForeignKey", "to": "shop.Maker", "on_delete": "CASCADE", "null": true}],
   "meta": {"ordering": ["title"]}}]') \gset
-- row permissions are default deny (docs/permissions.md): the shop is
-- open to everyone
SELECT count(viper.grant(label, 'all', '*')) AS opened FROM viper.models
WHERE app = 'shop' \gset
INSERT INTO shop_maker (id, name) VALUES (1, 'Acme'), (2, 'Ümlaut AG');
INSERT INTO shop_product (id, title, price, stock, maker_id) VALUES
  (1, 'Anvil', 99.50, 3, 1), (2, 'Rocket', 1200, 0, 1),
  (3, 'Über-Kabel', 4.20, 50, 2), (4, 'Spare part', NULL, 7, NULL);
