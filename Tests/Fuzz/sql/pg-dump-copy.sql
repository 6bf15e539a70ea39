--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE TABLE public.clients (
    id integer NOT NULL,
    nom text,
    email character varying(255),
    nir character(15),
    "date de naissance" date
);
COPY public.clients (id, nom, email, nir, "date de naissance") FROM stdin;
1	Garnier	paul.garnier@wanadoo.fr	185037511604217	1985-03-12
2	L\tefort	\N	290121305512345	\N
3	Multi\nLigne	zoe@example.org	\\	2001-01-01
\.
INSERT INTO public.clients VALUES (4, 'O''Brien', E'sean\x40obrien.ie', NULL, '1990-07-14');
INSERT INTO public.clients (id, email) VALUES (5, 'x@y.fr'), (6, $$dollar 'quoted'$$);
