-- Run by the postgres image once, on an empty data directory (mounted at /docker-entrypoint-initdb.d
-- by compose.yaml): one database per service, subgraph or worker, as in production where each has a
-- server of its own. The services create their tables themselves at start (migrations under an
-- advisory lock).
CREATE DATABASE cinema_movie;
CREATE DATABASE cinema_seat;
CREATE DATABASE cinema_payment;
CREATE DATABASE cinema_reservation;
CREATE DATABASE cinema_mypage;
CREATE DATABASE cinema_notifications;
