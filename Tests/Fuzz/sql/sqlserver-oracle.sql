SET IDENTITY_INSERT [dbo].[Employees] ON
GO
INSERT [dbo].[Employees] ([Id], [FullName], [Email], [Salary]) VALUES (1, N'Jean Dupont', N'jean.dupont@entreprise.fr', CAST(42000.00 AS Decimal(10, 2)))
GO
Insert into HR.EMPLOYEES (EMPLOYEE_ID,FIRST_NAME,EMAIL,HIRE_DATE,PHONE) values (100,'Steven','SKING',to_date('17-JUN-03','DD-MON-RR'),'515.123.4567');
INSERT INTO t VALUES (1, 0x6869, _binary 'x\0y', 'unterminated
