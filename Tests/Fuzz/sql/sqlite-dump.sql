PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE contacts(id INTEGER PRIMARY KEY, name TEXT, phone TEXT, iban BLOB);
INSERT INTO contacts VALUES(1,'Lucie Bernard','+33 6 12 34 56 78',X'4652373633');
INSERT INTO contacts VALUES(2,'Marc "le grand"','0145678912',NULL);
INSERT INTO "contacts" VALUES(3,'back\slash','',x'');
COMMIT;
