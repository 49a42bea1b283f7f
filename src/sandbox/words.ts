/**
 * Vocabulary for generated rows. A few entries carry accents on purpose: real Keap accounts are
 * full of them, and a connector must pass them through untouched.
 */

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Ashley',
  'Steven', 'Emily', 'Paul', 'Donna', 'Andrew', 'Michelle', 'Joshua', 'Carol', 'Kevin', 'Amanda',
  'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie', 'Ronald', 'Rebecca', 'Jason', 'Laura',
  'Aisha', 'Mateo', 'Priya', 'Hiroshi', 'Olga', 'Chen', 'Fatima', 'Liam', 'Noah', 'Sofia',
] as const;

/** Names that exercise non-ASCII text, used for a deterministic share of rows. */
export const ACCENTED_FIRST_NAMES = ['José', 'Zoë', 'Renée', 'Łukasz', 'Søren', 'Björk', 'François', 'Ñuño', 'Çağla', 'Dvořák'] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Müller', 'Núñez', 'Østergaard', 'Kowalski', 'Tanaka', 'Okafor', 'Patel', 'Ivanova', 'Dubois', 'Rossi',
] as const;

export interface Place {
  city: string;
  state: string;
  zip: string;
  country: string;
  phone: string;
}

export const PLACES: readonly Place[] = [
  { city: 'Chandler', state: 'AZ', zip: '852', country: 'United States', phone: '480' },
  { city: 'Phoenix', state: 'AZ', zip: '850', country: 'United States', phone: '602' },
  { city: 'Ogden', state: 'UT', zip: '844', country: 'United States', phone: '801' },
  { city: 'Redmond', state: 'WA', zip: '980', country: 'United States', phone: '425' },
  { city: 'Austin', state: 'TX', zip: '787', country: 'United States', phone: '512' },
  { city: 'Denver', state: 'CO', zip: '802', country: 'United States', phone: '303' },
  { city: 'Boston', state: 'MA', zip: '021', country: 'United States', phone: '617' },
  { city: 'Brooklyn', state: 'NY', zip: '112', country: 'United States', phone: '718' },
  { city: 'Miami', state: 'FL', zip: '331', country: 'United States', phone: '305' },
  { city: 'Chicago', state: 'IL', zip: '606', country: 'United States', phone: '312' },
  { city: 'Nashville', state: 'TN', zip: '372', country: 'United States', phone: '615' },
  { city: 'Portland', state: 'OR', zip: '972', country: 'United States', phone: '503' },
  { city: 'San Diego', state: 'CA', zip: '921', country: 'United States', phone: '619' },
  { city: 'Atlanta', state: 'GA', zip: '303', country: 'United States', phone: '404' },
  { city: 'Minneapolis', state: 'MN', zip: '554', country: 'United States', phone: '612' },
  { city: 'Raleigh', state: 'NC', zip: '276', country: 'United States', phone: '919' },
  { city: 'Toronto', state: 'ON', zip: 'M5V', country: 'Canada', phone: '416' },
  { city: 'Montréal', state: 'QC', zip: 'H2X', country: 'Canada', phone: '514' },
  { city: 'London', state: '', zip: 'SW1A', country: 'United Kingdom', phone: '20' },
  { city: 'Zürich', state: 'ZH', zip: '80', country: 'Switzerland', phone: '44' },
  { city: 'São Paulo', state: 'SP', zip: '010', country: 'Brazil', phone: '11' },
  { city: 'Sydney', state: 'NSW', zip: '20', country: 'Australia', phone: '2' },
];

export const STREETS = [
  'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Pine St', 'Elm St', 'Washington Blvd', 'Lakeview Rd',
  'Sunset Blvd', 'Hillcrest Ave', 'Park Pl', 'River Rd', '2nd St', 'Wizard Ave', 'Mill Creek Way',
] as const;

export const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka', 'Cyberdyne',
  'Soylent', 'Tyrell', 'Gringotts', 'Hogwarts', 'Pied Piper', 'Dunder Mifflin', 'Bluth', 'Prestige', 'Oceanic', 'Massive',
] as const;

export const COMPANY_SUFFIXES = ['LLC', 'Inc.', 'Co.', 'Group', 'Partners', 'Studio', 'Consulting', 'Holdings'] as const;

export const JOB_TITLES = [
  'Owner', 'CEO', 'Marketing Manager', 'Office Manager', 'Sales Rep', 'Consultant', 'Bookkeeper', 'Coach',
  'Photographer', 'Realtor', 'Designer', 'Director of Operations',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'test.example'] as const;

export const CONTACT_TYPES = ['Lead', 'Customer', 'Prospect', 'Other', 'Partner'] as const;
export const PHONE_TYPES = ['Work', 'Mobile', 'Home', 'Other'] as const;
export const TITLES = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Mx.'] as const;
export const SUFFIXES = ['Jr.', 'Sr.', 'III', 'PhD'] as const;
export const LANGUAGES = ['en_US', 'en_GB', 'es_MX', 'fr_CA', 'de_DE'] as const;
export const TIME_ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'Europe/London'] as const;

export const TAGS = [
  'Newsletter', 'VIP', 'Webinar Attendee', 'Free Trial', 'Customer', 'Lost Customer', 'Hot Lead', 'Cold Lead',
  'Referral Partner', 'Event 2024', 'Event 2025', 'Purchased Course', 'Abandoned Cart', 'Survey Taker', 'Podcast Listener',
  'Facebook Ad', 'Google Ad', 'Do Not Email', 'Wholesale', 'Retail', 'Coaching Client', 'Alumni', 'Beta Tester',
  'Affiliate', 'Nurture Sequence',
] as const;

export const TAG_CATEGORIES = ['Lead Source', 'Customer Status', 'Events', 'Marketing', 'Internal'] as const;

export const PRODUCTS = [
  'Starter Course', 'Pro Course', 'Coaching Session', 'Annual Membership', 'Monthly Membership', 'E-book', 'Workshop Ticket',
  'T-Shirt', 'Mug', 'Consultation', 'Template Pack', 'Masterclass', 'VIP Day', 'Audio Series', 'Journal',
  'Sticker Pack', 'Webinar Replay', 'Gift Card', 'Hoodie', 'Planner',
] as const;

export const SENTENCES = [
  'Called to follow up on the proposal.',
  'Prefers email over phone.',
  'Met at the spring conference.',
  'Interested in the annual plan.',
  'Asked for a discount on the second seat.',
  'Left a voicemail; will try again Friday.',
  'Renewed without issues.',
  'Needs an invoice with the company VAT number.',
] as const;

/**
 * Text that trips careless XML and JSON handling: markup characters, quotes, line breaks, emoji and
 * other characters outside the Basic Multilingual Plane (two UTF-16 units each).
 */
export const ODD_TEXTS = [
  'Tom & Jerry <Partners> "Ltd"',
  "O'Brien & Sons",
  'Line one\nLine two\n\tindented',
  'Party 🎉 time 😀 — naïve café',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 and 𠜎𠜱 (outside the BMP)',
  'a < b && c > d ]]> not CDATA',
  '  leading and trailing spaces  ',
] as const;
