"""Public recall notices (召回公告): every case with a recall decision whose plan was accepted."""
