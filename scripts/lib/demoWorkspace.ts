/**
 * Builds the demo Rails workspace and its database: the folder a maintainer would open (config,
 * logs, Gemfile.lock, docs, a git history) and a PostgreSQL database with users, businesses,
 * services and bookings. Used by `npm run demo` and by the end-to-end tests.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { simpleGit } from 'simple-git';
import { generateRailsLog, type GeneratedRequest } from './demoLog';

export interface DemoDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The demo app's database on a server started here (127.0.0.1). */
export function demoDatabaseOn(server: {
  port: number;
  user: string;
  password: string;
}): DemoDatabase {
  return {
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    password: server.password,
    database: 'thembooking_development',
  };
}

export interface DemoWorkspace {
  folder: string;
  logFile: string;
  requests: GeneratedRequest[];
}

// Copies of real public logs, kept in the repo with their provenance.
const FIXTURE_LOGS = path.join(__dirname, '../../test/fixtures/logs');

/** Schema and a few thousand rows, stamped relative to now so growth and retention have data. */
export async function loadDemoDatabase(db: DemoDatabase): Promise<void> {
  const admin = new Client({ ...db, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${db.database}"`);
  } finally {
    await admin.end();
  }

  const client = new Client(db);
  await client.connect();
  try {
    await client.query(DEMO_SCHEMA);
    await client.query(DEMO_DATA);
    await client.query('ANALYZE');
    await forgetLoaderStatements(client);
    // Some traffic for pg_stat_statements, the way the app would query.
    for (let step = 1; step <= 5; step++) {
      await client.query('SELECT * FROM users WHERE onboarding_step = $1 LIMIT 100', [step]);
    }
    for (let i = 0; i < 30; i++) {
      await client.query('SELECT * FROM bookings WHERE user_id = $1', [1 + i]);
      await client.query(
        'SELECT s.* FROM services s JOIN businesses b ON b.id = s.business_id WHERE b.user_id = $1',
        [1 + i],
      );
    }
    await client.query(
      "SELECT count(*) FROM bookings WHERE starts_at > now() - interval '30 days' " +
        "AND status = 'confirmed'",
    );
  } finally {
    await client.end();
  }
}

/**
 * Clears this database's pg_stat_statements entries, so Slowest queries (and the Slow queries
 * check) show the app's traffic and not the loader's CREATE, INSERT ... generate_series and
 * ANALYZE. The reset itself runs untracked; without pg_stat_statements loaded there is nothing
 * to clear.
 */
async function forgetLoaderStatements(client: Client): Promise<void> {
  const loaded = await client.query(
    "SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.track'",
  );
  if (loaded.rowCount === 0) return;
  await client.query("SET pg_stat_statements.track = 'none'");
  await client.query(
    'SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database ' +
      'WHERE datname = current_database()',
  );
  await client.query('RESET pg_stat_statements.track');
}

const DEMO_SCHEMA = `
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
DROP TABLE IF EXISTS bookings, services, businesses, users, schema_migrations, ar_internal_metadata;
CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar,
  created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL);
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email varchar NOT NULL,
  name varchar,
  onboarding_step integer NOT NULL DEFAULT 1,
  onboarding_completed_at timestamp(6),
  email_confirmed_at timestamp(6),
  last_sign_in_at timestamp(6),
  created_at timestamp(6) NOT NULL,
  updated_at timestamp(6) NOT NULL
);
CREATE UNIQUE INDEX index_users_on_email ON users (email);
CREATE INDEX index_users_on_created_at ON users (created_at);
CREATE TABLE businesses (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  name varchar NOT NULL,
  phone varchar,
  created_at timestamp(6) NOT NULL,
  updated_at timestamp(6) NOT NULL
);
CREATE INDEX index_businesses_on_user_id ON businesses (user_id);
CREATE TABLE services (
  id bigserial PRIMARY KEY,
  business_id bigint NOT NULL REFERENCES businesses (id),
  name varchar NOT NULL,
  duration_minutes integer NOT NULL,
  price_cents integer NOT NULL,
  created_at timestamp(6) NOT NULL,
  updated_at timestamp(6) NOT NULL
);
-- No index on services.business_id: a foreign key without an index for the checks to find.
CREATE TABLE bookings (
  id bigserial PRIMARY KEY,
  service_id bigint NOT NULL REFERENCES services (id),
  user_id bigint NOT NULL REFERENCES users (id),
  starts_at timestamp(6) NOT NULL,
  status varchar NOT NULL DEFAULT 'pending',
  created_at timestamp(6) NOT NULL,
  updated_at timestamp(6) NOT NULL
);
CREATE INDEX index_bookings_on_service_id ON bookings (service_id);
CREATE INDEX index_bookings_on_status ON bookings (status);
CREATE INDEX index_bookings_on_service_id_and_starts_at ON bookings (service_id, starts_at);
`;

// setseed makes the demo data the same on every run.
const DEMO_DATA = `
SELECT setseed(0.42);
INSERT INTO schema_migrations (version)
VALUES ('20240101000000'), ('20240315120000'), ('20240610090000');
INSERT INTO ar_internal_metadata VALUES ('environment', 'development', now(), now());
INSERT INTO users (email, name, onboarding_step, created_at, updated_at)
SELECT 'user' || g || '@example.com', 'User ' || g,
       1 + floor(power(random(), 0.8) * 5)::int,
       now() - (random() * interval '180 days'), now()
FROM generate_series(1, 3000) AS g;
UPDATE users SET onboarding_completed_at = created_at + (random() * interval '3 days')
 WHERE onboarding_step = 5;
UPDATE users SET email_confirmed_at = created_at + interval '10 minutes' WHERE random() < 0.85;
UPDATE users SET last_sign_in_at = created_at + (random() * interval '30 days')
 WHERE random() < 0.6;
INSERT INTO businesses (user_id, name, phone, created_at, updated_at)
SELECT id, 'Business ' || id, '0' || (100000000 + id), created_at + interval '1 hour', now()
FROM users WHERE onboarding_step >= 3;
INSERT INTO services (business_id, name, duration_minutes, price_cents, created_at, updated_at)
SELECT b.id, 'Service ' || b.id || '-' || s, (array[30, 45, 60, 90])[1 + floor(random() * 4)::int],
       1500 + floor(random() * 10000)::int, b.created_at + interval '2 hours', now()
FROM businesses b, generate_series(1, 3) AS s;
INSERT INTO bookings (service_id, user_id, starts_at, status, created_at, updated_at)
SELECT 1 + floor(random() * (SELECT count(*) FROM services))::int,
       1 + floor(random() * 3000)::int,
       now() + (random() * interval '60 days') - interval '30 days',
       (array['pending', 'confirmed', 'confirmed', 'cancelled'])[1 + floor(random() * 4)::int],
       now() - (random() * interval '90 days'), now()
FROM generate_series(1, 6000);
`;

/** The Rails app folder: config, logs, docs, Gemfile.lock and a git history. */
export async function createDemoWorkspace(
  folder: string,
  db: DemoDatabase,
  now: Date = new Date(),
): Promise<DemoWorkspace> {
  const write = async (relative: string, text: string): Promise<void> => {
    const file = path.join(folder, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  };

  await write(
    'config/database.yml',
    `default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  host: ${db.host}
  port: ${db.port}
  username: ${db.user}
  password: ${db.password}

development:
  <<: *default
  database: ${db.database}

test:
  <<: *default
  database: thembooking_test

production:
  <<: *default
  database: thembooking_production
  url: <%= ENV["DATABASE_URL"] %>
`,
  );

  // Real public samples first (old timestamps), then today's generated traffic.
  const samples = await Promise.all(
    ['rails52_production_tagged.log', 'rails3_partials.log', 'rails22.log'].map(async (name) =>
      fs.readFile(path.join(FIXTURE_LOGS, name), 'utf8').catch(() => ''),
    ),
  );
  const generated = generateRailsLog({ now });
  const logText = samples.map((text) => (text.endsWith('\n') ? text : text + '\n')).join('');
  await write('log/production.log', logText + generated.text);

  await write('Gemfile', GEMFILE);
  await write('Gemfile.lock', GEMFILE_LOCK);
  await write('.ruby-version', 'ruby-3.3.1\n');
  await write('.node-version', '20.11.1\n');
  await write('db/schema.rb', SCHEMA_RB);
  await write('db/migrate/20240101000000_create_users.rb', migration('CreateUsers', 'users'));
  await write(
    'db/migrate/20240315120000_create_businesses.rb',
    migration('CreateBusinesses', 'businesses'),
  );
  await write(
    'db/migrate/20240610090000_create_bookings.rb',
    migration('CreateBookings', 'bookings'),
  );
  await write(
    'db/migrate/20241120080000_add_timezone_to_businesses.rb',
    'class AddTimezoneToBusinesses < ActiveRecord::Migration[7.1]\n' +
      '  def change\n' +
      '    add_column :businesses, :time_zone, :string\n' +
      '  end\n' +
      'end\n',
  );
  // What makes the folder a Rails app to the checks that read config (security.csrf).
  await write(
    'config/application.rb',
    'require_relative "boot"\n\nrequire "rails/all"\n\nBundler.require(*Rails.groups)\n\n' +
      'module Thembooking\n' +
      '  class Application < Rails::Application\n' +
      '    config.load_defaults 7.1\n' +
      '    config.autoload_lib(ignore: %w[assets tasks])\n' +
      '  end\n' +
      'end\n',
  );
  await write('config/environments/production.rb', PRODUCTION_RB);
  await write(
    'config/initializers/filter_parameter_logging.rb',
    'Rails.application.config.filter_parameters += [\n' +
      '  :passw, :email, :secret, :token, :_key, :crypt, :salt, :certificate, :otp, :ssn\n' +
      ']\n',
  );
  await write(
    'app/controllers/application_controller.rb',
    'class ApplicationController < ActionController::Base\nend\n',
  );
  await write(
    'app/models/user.rb',
    'class User < ApplicationRecord\n  has_many :businesses\nend\n',
  );
  await write(
    'app/controllers/bookings_controller.rb',
    'class BookingsController < ApplicationController\n' +
      '  def index\n' +
      '    @bookings = current_user.bookings\n' +
      '  end\n' +
      '\n' +
      '  def show\n' +
      '    @booking = Booking.find(params[:id])\n' +
      '    @service_name = @booking.service.name\n' +
      '  end\n' +
      'end\n',
  );
  await write('README.md', DEMO_README);
  await write('docs/deployment.md', DEPLOYMENT_MD);
  await write('docs/onboarding.md', ONBOARDING_MD);
  for (const sub of ['uploads', 'avatars', 'backup']) await write(`storage/${sub}/.keep`, '');
  await write('.gitignore', '/log/*\n!/log/.keep\n/tmp/*\n/storage/*\n');

  const git = simpleGit(folder);
  await git.init();
  await git.addConfig('user.name', 'Demo Maintainer');
  await git.addConfig('user.email', 'maintainer@example.com');
  await git.add('.');
  await git.commit('Demo app');

  return { folder, logFile: path.join(folder, 'log/production.log'), requests: generated.requests };
}

function migration(name: string, table: string): string {
  return (
    `class ${name} < ActiveRecord::Migration[7.1]\n` +
    '  def change\n' +
    `    create_table :${table} do |t|\n` +
    '      t.timestamps\n' +
    '    end\n' +
    '  end\n' +
    'end\n'
  );
}

const GEMFILE = `source "https://rubygems.org"

ruby "3.3.1"
gem "rails", "~> 7.1.3"
gem "pg", "~> 1.5"
gem "puma", ">= 5.0"
gem "devise"

group :development, :test do
  gem "rspec-rails"
  gem "rubocop-rails", require: false
  gem "brakeman", require: false
  gem "bundler-audit", require: false
end
`;

const GEMFILE_LOCK = `GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.1.3)
    activerecord (7.1.3)
    bcrypt (3.1.20)
    brakeman (6.1.2)
    bundler-audit (0.9.1)
    devise (4.9.3)
    nokogiri (1.16.2-x86_64-linux)
    pg (1.5.4)
    puma (6.4.2)
    rack (3.0.9)
    rails (7.1.3)
    rspec-rails (6.1.1)
    rubocop-rails (2.23.1)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  brakeman
  bundler-audit
  devise
  pg (~> 1.5)
  puma (>= 5.0)
  rails (~> 7.1.3)
  rspec-rails
  rubocop-rails

RUBY VERSION
   ruby 3.3.1p55

BUNDLED WITH
   2.5.6
`;

const SCHEMA_RB = `ActiveRecord::Schema[7.1].define(version: 2024_06_10_090000) do
  enable_extension "plpgsql"
  enable_extension "pg_stat_statements"

  create_table "users", force: :cascade do |t|
    t.string "email", null: false
    t.integer "onboarding_step", default: 1, null: false
    t.datetime "onboarding_completed_at"
    t.timestamps
  end
end
`;

const PRODUCTION_RB = `require "active_support/core_ext/integer/time"

Rails.application.configure do
  config.cache_classes = true
  config.eager_load = true
  config.log_level = :info
  config.log_tags = [ :request_id ]

  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    address: ENV.fetch("SMTP_ADDRESS", "smtp.example.com"),
    port: 587,
    user_name: ENV["SMTP_USERNAME"],
    password: ENV["SMTP_PASSWORD"],
    authentication: :plain,
    enable_starttls_auto: true
  }
end
`;

const DEMO_README = `# ThemBooking

Booking for small businesses. See [deployment](docs/deployment.md) and
[onboarding](docs/onboarding.md#steps). The [API guide](docs/api.md) is still to be written.
`;

const DEPLOYMENT_MD = `# Deployment

1. Merge to main.
2. Run the migrations (see [onboarding](onboarding.md#data-model)).
3. Watch the [health check](https://thembooking.example/health).
`;

const ONBOARDING_MD = `# Onboarding

## Steps

Users move through five onboarding steps; \`users.onboarding_step\` holds where they are.

## Data model

See \`app/models/user.rb\`.
`;
