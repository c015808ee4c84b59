"""One search box over everything a user may see: plates, phones, names,
documents, references and free text of reports, cases, messages and notices,
through the one visibility rule."""
