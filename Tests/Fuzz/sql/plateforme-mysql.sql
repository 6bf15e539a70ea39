-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: db.interne    Database: plateforme
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

--
-- Table structure for table `apprenants`
--

DROP TABLE IF EXISTS `apprenants`;
CREATE TABLE `apprenants` (
  `id` int NOT NULL AUTO_INCREMENT,
  `nom` varchar(64) NOT NULL,
  `prenom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `telephone` varchar(32) DEFAULT NULL,
  `date_naissance` date DEFAULT NULL,
  `nir` char(15) DEFAULT NULL,
  `iban` varchar(34) DEFAULT NULL,
  `adresse` varchar(255) DEFAULT NULL,
  `session_id` int DEFAULT NULL,
  `note_interne` text,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table `apprenants`
--

LOCK TABLES `apprenants` WRITE;
INSERT INTO `apprenants` VALUES (1,'Lefèvre','Thomas','thomas.lefevre@orange.fr','+33 6 71 28 94 05','1995-11-02','195117511408727','FR7630003036200005021874366','18 rue Oberkampf\n75011 Paris',12,NULL),(2,'Benali','Inès','ines.benali@free.fr',NULL,'2001-06-27','201061320541218',NULL,'42 boulevard Baille',12,'Dossier d\'inscription complet'),(3,'O\'Connor','Siobhan','siobhan.oconnor@gmail.com','07 58 23 61 94',NULL,NULL,NULL,NULL,14,''),(4,'Petit','Lucas','lucas.petit@free.fr','06 45 12 78 90','2013-04-09',NULL,NULL,NULL,14,NULL);
UNLOCK TABLES;

--
-- Table structure for table `sessions`
--

DROP TABLE IF EXISTS `sessions`;
CREATE TABLE `sessions` (
  `id` int NOT NULL,
  `intitule` varchar(128) NOT NULL,
  `debut` date NOT NULL,
  `places` int NOT NULL,
  `tarif` decimal(8,2) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `sessions` WRITE;
INSERT INTO `sessions` VALUES (12,'Développeur web — promotion 2026','2026-01-12',24,4990.00),(14,'Data analyst — session de printemps','2026-03-02',18,5490.00);
UNLOCK TABLES;
--
-- Table structure for table `recruteurs`
--

DROP TABLE IF EXISTS `recruteurs`;
CREATE TABLE `recruteurs` (
  `id` int NOT NULL,
  `nom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `entreprise` varchar(128) DEFAULT NULL,
  `nir` char(15) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `recruteurs` WRITE;
INSERT INTO `recruteurs` VALUES (1,'Garnier','c.garnier@agence-emploi.fr','Agence Emploi Lyon','298036938321409'),(2,'Roux','m.roux@talents-sud.fr','Talents Sud',NULL);
UNLOCK TABLES;

--
-- Table structure for table `mentors`
--

DROP TABLE IF EXISTS `mentors`;
CREATE TABLE `mentors` (
  `id` int NOT NULL,
  `nom` varchar(64) NOT NULL,
  `prenom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `casier_judiciaire` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `mentors` WRITE;
INSERT INTO `mentors` VALUES (31,'Lambert','Julie','julie.lambert@mentors-oc.fr','extrait de casier judiciaire bulletin n°3 fourni');
UNLOCK TABLES;

--
-- Table structure for table `tuteurs`
--

DROP TABLE IF EXISTS `tuteurs`;
CREATE TABLE `tuteurs` (
  `id` int NOT NULL,
  `nom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `nir` char(15) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `tuteurs` WRITE;
INSERT INTO `tuteurs` VALUES (7,'Fontaine','a.fontaine@industrie-lyon.fr','195117511408727');
UNLOCK TABLES;

--
-- Table structure for table `candidatures`
--

DROP TABLE IF EXISTS `candidatures`;
CREATE TABLE `candidatures` (
  `id` int NOT NULL,
  `nom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `statut` varchar(16) NOT NULL,
  `refused_at` date DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `candidatures` WRITE;
INSERT INTO `candidatures` VALUES (801,'Morel','emma.morel@gmail.com','refusee','2026-02-03'),(802,'Fournier','jules.fournier@orange.fr','en_cours',NULL);
UNLOCK TABLES;

--
-- Table structure for table `presences`
--

DROP TABLE IF EXISTS `presences`;
CREATE TABLE `presences` (
  `apprenant_id` int NOT NULL,
  `date_seance` date NOT NULL,
  `present` tinyint(1) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `presences` WRITE;
INSERT INTO `presences` VALUES (1,'2026-11-03',1),(2,'2026-11-03',0);
UNLOCK TABLES;

--
-- Table structure for table `factures`
--

DROP TABLE IF EXISTS `factures`;
CREATE TABLE `factures` (
  `id` int NOT NULL,
  `apprenant_id` int NOT NULL,
  `montant` decimal(8,2) NOT NULL,
  `invoice_date` date NOT NULL,
  `iban` varchar(34) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `factures` WRITE;
INSERT INTO `factures` VALUES (501,1,4990.00,'2012-06-30','FR7630004008280001234567841'),(502,2,4990.00,'2026-01-15','FR6520041010081234567K02015');
UNLOCK TABLES;

--
-- Table structure for table `paiements`
--

DROP TABLE IF EXISTS `paiements`;
CREATE TABLE `paiements` (
  `id` int NOT NULL,
  `apprenant_id` int NOT NULL,
  `carte_bancaire` varchar(19) DEFAULT NULL,
  `montant` decimal(8,2) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `paiements` WRITE;
INSERT INTO `paiements` VALUES (9001,1,'4974 0215 8836 1428',4990.00);
UNLOCK TABLES;

--
-- Table structure for table `newsletter_abonnes`
--

DROP TABLE IF EXISTS `newsletter_abonnes`;
CREATE TABLE `newsletter_abonnes` (
  `email` varchar(255) NOT NULL,
  `rqth` varchar(3) DEFAULT NULL,
  `inscrit_le` date NOT NULL,
  PRIMARY KEY (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `newsletter_abonnes` WRITE;
INSERT INTO `newsletter_abonnes` VALUES ('camille.robert@gmail.com','oui','2025-09-01'),('noah.girard@free.fr',NULL,'2026-02-11');
UNLOCK TABLES;

--
-- Table structure for table `amenagements_rqth`
--

DROP TABLE IF EXISTS `amenagements_rqth`;
CREATE TABLE `amenagements_rqth` (
  `apprenant_id` int NOT NULL,
  `rqth` varchar(3) NOT NULL,
  `consentement` tinyint(1) NOT NULL,
  `date_demande` date NOT NULL,
  PRIMARY KEY (`apprenant_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `amenagements_rqth` WRITE;
INSERT INTO `amenagements_rqth` VALUES (2,'oui',1,'2026-01-20');
UNLOCK TABLES;

--
-- Table structure for table `connexions`
--

DROP TABLE IF EXISTS `connexions`;
CREATE TABLE `connexions` (
  `id` bigint NOT NULL,
  `apprenant_id` int NOT NULL,
  `ip` varchar(45) NOT NULL,
  `logged_at` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `connexions` WRITE;
INSERT INTO `connexions` VALUES (1,1,'90.112.45.201','2023-01-10 08:12:44'),(2,2,'78.193.20.14','2026-10-02 19:40:03');
UNLOCK TABLES;

--
-- Table structure for table `enquetes_insertion`
--

DROP TABLE IF EXISTS `enquetes_insertion`;
CREATE TABLE `enquetes_insertion` (
  `apprenant_id` int NOT NULL,
  `email` varchar(255) NOT NULL,
  `en_poste` tinyint(1) NOT NULL,
  `survey_received_at` date NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `enquetes_insertion` WRITE;
INSERT INTO `enquetes_insertion` VALUES (1,'thomas.lefevre@orange.fr',1,'2024-09-15'),(2,'ines.benali@free.fr',0,'2026-10-20');
UNLOCK TABLES;

--
-- Table structure for table `export_temporaire`
--

DROP TABLE IF EXISTS `export_temporaire`;
CREATE TABLE `export_temporaire` (
  `nom` varchar(64) NOT NULL,
  `email` varchar(255) NOT NULL,
  `nir` char(15) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `export_temporaire` WRITE;
INSERT INTO `export_temporaire` VALUES ('Benali','ines.benali@free.fr','201061320541218');
UNLOCK TABLES;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2026-11-20 23:15:02
