// Package migration proves the move from Django REST Framework end to end, with the real
// gatehouse binary: its tests create Django's auth_user and authtoken_token tables in a fresh
// MariaDB database, fill them with users and tokens a real Django wrote, run
// "gatehouse import django" (from the database, and from dumpdata JSON) into Gatehouse's
// MySQL stores, or MySQL users with Redis tokens, then start the server and log in over HTTP
// with every password and use every DRF token unchanged. A second import must report nothing
// new.
package migration
