// Package django reads users and Django REST Framework tokens out of a Django project, for
// import: from the JSON of "manage.py dumpdata auth.user authtoken.token" (Dumpdata), which
// works whatever database the project runs on, or straight from a Django database on MySQL
// (Database). Both yield domain.ImportRecord values one at a time, so a large table is never
// held in memory, and leave every decision about a row to the importer.
//
// Token keys are secrets: no error or message of this package contains one.
package django
