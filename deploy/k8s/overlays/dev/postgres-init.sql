-- One database per service, as deploy/postgres-init/01-databases.sql for compose (test/k8s.test.ts
-- checks the two name the same databases). Production uses managed PostgreSQL instead.
CREATE DATABASE cinema_movie;
CREATE DATABASE cinema_seat;
CREATE DATABASE cinema_payment;
CREATE DATABASE cinema_reservation;
CREATE DATABASE cinema_mypage;
CREATE DATABASE cinema_notifications;
