/**
 * A 30-table SQLite database shaped like a real sample database (Northwind-like names with spaces, a composite key,
 * a self-reference, BLOB pictures, dates before 1970, a junction table, views, an empty table) plus 18 generated
 * tables in a chain of foreign keys: what the migration panel and the designer must handle at scale.
 */
const LONG_NOTE = 'Education includes a BA in psychology from Colorado State University. '.repeat(8);

function generated(i: number): string {
  const name = `t${String(i).padStart(2, '0')}`;
  const prev = i > 1 ? `t${String(i - 1).padStart(2, '0')}` : undefined;
  const rows = Array.from(
    { length: 12 },
    (_, r) => `(${r + 1}, 'row ${r + 1} of ${name}', ${prev ? (r % 12) + 1 : 'NULL'}, ${r * 1.5})`,
  ).join(', ');
  return `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, label TEXT NOT NULL, ${prev ? `${prev}_id INTEGER REFERENCES ${prev}(id)` : 'parent_id INTEGER'}, amount REAL);
INSERT INTO ${name} VALUES ${rows};`;
}

export const SCALE_TABLES = 30;

export function scaleDbSql(): string {
  const core = `
CREATE TABLE Regions (RegionID INTEGER PRIMARY KEY, RegionDescription TEXT NOT NULL);
CREATE TABLE Territories (TerritoryID TEXT PRIMARY KEY, TerritoryDescription TEXT, RegionID INTEGER REFERENCES Regions(RegionID));
CREATE TABLE Employees (EmployeeID INTEGER PRIMARY KEY, LastName TEXT, FirstName TEXT, BirthDate DATETIME, HireDate DATETIME,
  Photo BLOB, Notes TEXT, ReportsTo INTEGER REFERENCES Employees(EmployeeID));
CREATE TABLE EmployeeTerritories (EmployeeID INTEGER REFERENCES Employees(EmployeeID), TerritoryID TEXT REFERENCES Territories(TerritoryID),
  PRIMARY KEY (EmployeeID, TerritoryID));
CREATE TABLE Categories (CategoryID INTEGER PRIMARY KEY, CategoryName TEXT, Picture BLOB);
CREATE TABLE Suppliers (SupplierID INTEGER PRIMARY KEY, CompanyName TEXT, Country TEXT);
CREATE TABLE Products (ProductID INTEGER PRIMARY KEY, ProductName TEXT, SupplierID INTEGER REFERENCES Suppliers(SupplierID),
  CategoryID INTEGER REFERENCES Categories(CategoryID), UnitPrice NUMERIC);
CREATE TABLE Customers (CustomerID TEXT PRIMARY KEY, CompanyName TEXT, "Contact Name" TEXT);
CREATE TABLE Shippers (ShipperID INTEGER PRIMARY KEY, CompanyName TEXT);
CREATE TABLE Orders (OrderID INTEGER PRIMARY KEY, CustomerID TEXT REFERENCES Customers(CustomerID), EmployeeID INTEGER REFERENCES Employees(EmployeeID),
  OrderDate DATETIME, ShipVia INTEGER REFERENCES Shippers(ShipperID));
CREATE TABLE "Order Details" (OrderID INTEGER REFERENCES Orders(OrderID), ProductID INTEGER REFERENCES Products(ProductID),
  UnitPrice NUMERIC, Quantity INTEGER, PRIMARY KEY (OrderID, ProductID));
CREATE TABLE AuditLog (id INTEGER PRIMARY KEY, at DATETIME, message TEXT);
INSERT INTO Regions VALUES (1, 'Eastern'), (2, 'Western');
INSERT INTO Territories VALUES ('01581', 'Westboro', 1), ('98004', 'Bellevue', 2);
INSERT INTO Employees VALUES (2, 'Fuller', 'Andrew', '1952-02-19', '1992-08-14', zeroblob(12345), '${LONG_NOTE}', NULL),
  (1, 'Davolio', 'Nancy', '1948-12-08', '1992-05-01', zeroblob(2048), 'Nancy', 2), (3, 'Leverling', 'Janet', '1963-08-30', '1992-04-01', NULL, NULL, 2);
INSERT INTO EmployeeTerritories VALUES (1, '01581'), (2, '98004'), (3, '01581');
INSERT INTO Categories VALUES (1, 'Beverages', zeroblob(10746)), (2, 'Condiments', zeroblob(10189));
INSERT INTO Suppliers VALUES (1, 'Exotic Liquids', 'UK'), (2, 'Tokyo Traders', 'Japan');
INSERT INTO Products VALUES (1, 'Chai', 1, 1, 18), (2, 'Chang', 1, 1, 19), (3, 'Aniseed Syrup', 2, 2, 10);
INSERT INTO Customers VALUES ('ALFKI', 'Alfreds Futterkiste', 'Maria Anders'), ('ANATR', 'Ana Trujillo', 'Ana Trujillo');
INSERT INTO Shippers VALUES (1, 'Speedy Express'), (2, 'United Package');
INSERT INTO Orders VALUES (10248, 'ALFKI', 1, '1996-07-04', 1), (10249, 'ANATR', 2, '1996-07-05', 2), (10250, 'ALFKI', 3, '1996-07-08', 1);
INSERT INTO "Order Details" VALUES (10248, 1, 14, 12), (10248, 2, 9.8, 10), (10249, 3, 34.8, 5), (10250, 1, 7.7, 10), (10250, 3, 42.4, 35);
CREATE VIEW "Orders Qry" AS SELECT o.OrderID, c.CompanyName FROM Orders o JOIN Customers c USING (CustomerID);
CREATE VIEW "Product List" AS SELECT ProductID, ProductName FROM Products;
CREATE VIEW "Employee Names" AS SELECT EmployeeID, FirstName || ' ' || LastName AS Name FROM Employees;
`;
  return core + Array.from({ length: SCALE_TABLES - 12 }, (_, i) => generated(i + 1)).join('\n');
}
