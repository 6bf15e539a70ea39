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
INSERT INTO `apprenants` VALUES (1,'Lefèvre','Thomas','thomas.lefevre@orange.fr','+33 6 71 28 94 05','1995-11-02','195117511408727','FR7630003036200005021874366','18 rue Oberkampf\n75011 Paris',12,NULL),(2,'Benali','Inès','ines.benali@free.fr',NULL,'2001-06-27','201061320541218',NULL,'42 boulevard Baille',12,'Dossier d\'inscription complet'),(3,'O\'Connor','Siobhan','siobhan.oconnor@gmail.com','07 58 23 61 94',NULL,NULL,NULL,NULL,14,'');
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
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2026-11-20 23:15:02
