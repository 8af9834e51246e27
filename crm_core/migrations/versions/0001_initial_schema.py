"""initial schema

Revision ID: 0001
Revises: 
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # pgvector backs semantic search; created here so every later migration can rely on it.
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table('custom_field_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('field_type', sa.Text(), nullable=False),
    sa.Column('choices', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('is_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.CheckConstraint("entity IN ('accounts', 'contacts', 'deals')", name='ck_custom_field_definitions_entity'),
    sa.CheckConstraint("field_type IN ('text', 'number', 'integer', 'boolean', 'date', 'choice')", name='ck_custom_field_definitions_type'),
    sa.CheckConstraint("key ~ '^[a-z][a-z0-9_]*$'", name='ck_custom_field_definitions_key'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity', 'key', name='uq_custom_field_definitions_entity_key')
    )
    op.create_table('pipelines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=False),
    sa.CheckConstraint("region IN ('North America', 'EMEA', 'APAC', 'LATAM')", name='ck_teams_region'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('text_topics',
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('note', 'email')", name='ck_text_topics_kind'),
    sa.PrimaryKeyConstraint('kind', 'record_id', 'topic')
    )
    op.create_index('ix_text_topics_topic', 'text_topics', ['topic'], unique=False)
    op.create_table('deal_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('is_closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_won', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.CheckConstraint('NOT is_won OR is_closed', name='ck_deal_stages_won_is_closed'),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name='ck_deal_stages_probability'),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pipeline_id', 'name', name='uq_deal_stages_pipeline_name')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.Text(), server_default='UTC', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('rep', 'manager', 'admin')", name='ck_users_role'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_index(op.f('ix_users_team_id'), 'users', ['team_id'], unique=False)
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('domain', sa.Text(), nullable=True),
    sa.Column('industry', sa.Text(), nullable=True),
    sa.Column('employee_count', sa.Integer(), nullable=True),
    sa.Column('annual_revenue', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('parent_account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.CheckConstraint("country IS NULL OR country ~ '^[A-Z]{2}$'", name='ck_accounts_country'),
    sa.CheckConstraint('annual_revenue IS NULL OR annual_revenue >= 0', name='ck_accounts_annual_revenue'),
    sa.CheckConstraint('employee_count IS NULL OR employee_count >= 0', name='ck_accounts_employee_count'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['parent_account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_accounts_country_state', 'accounts', ['country', 'state'], unique=False)
    op.create_index('ix_accounts_industry', 'accounts', ['industry'], unique=False)
    op.create_index('ix_accounts_name_lower', 'accounts', [sa.literal_column('lower(name)')], unique=False)
    op.create_index('ix_accounts_owner_id', 'accounts', ['owner_id'], unique=False)
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.Text(), nullable=False),
    sa.Column('prefix', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_index(op.f('ix_api_keys_user_id'), 'api_keys', ['user_id'], unique=False)
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('external_id', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('state', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_conversations_channel_external')
    )
    op.create_table('query_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('sql', sa.Text(), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('error_code', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_query_log_user_created', 'query_log', ['user_id', 'created_at'], unique=False)
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.Text(), nullable=True),
    sa.Column('last_name', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('job_title', sa.Text(), nullable=True),
    sa.Column('lifecycle_stage', sa.Text(), server_default='lead', nullable=False),
    sa.Column('lead_source', sa.Text(), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('timezone', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('lead_score', sa.Integer(), nullable=True),
    sa.Column('last_contacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('do_not_email', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('lead_score_model', sa.Text(), nullable=True),
    sa.Column('lead_scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.CheckConstraint("country IS NULL OR country ~ '^[A-Z]{2}$'", name='ck_contacts_country'),
    sa.CheckConstraint("lead_source IN ('website', 'referral', 'event', 'paid_search', 'social', 'outbound', 'partner', 'webinar')", name='ck_contacts_lead_source'),
    sa.CheckConstraint("lifecycle_stage IN ('subscriber', 'lead', 'marketing_qualified', 'sales_qualified', 'opportunity', 'customer', 'churned')", name='ck_contacts_lifecycle_stage'),
    sa.CheckConstraint('lead_score IS NULL OR lead_score BETWEEN 0 AND 100', name='ck_contacts_lead_score'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_contacts_account_id', 'contacts', ['account_id'], unique=False)
    op.create_index('ix_contacts_country_state', 'contacts', ['country', 'state'], unique=False)
    op.create_index('ix_contacts_email_lower', 'contacts', [sa.literal_column('lower(email)')], unique=False)
    op.create_index('ix_contacts_last_contacted_at', 'contacts', ['last_contacted_at'], unique=False)
    op.create_index('ix_contacts_lead_score', 'contacts', ['lead_score'], unique=False)
    op.create_index('ix_contacts_lifecycle_stage', 'contacts', ['lifecycle_stage', 'last_contacted_at'], unique=False)
    op.create_index('ix_contacts_owner_id', 'contacts', ['owner_id'], unique=False)
    op.create_index('ix_contacts_owner_stage', 'contacts', ['owner_id', 'lifecycle_stage'], unique=False)
    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.Text(), server_default='USD', nullable=False),
    sa.Column('status', sa.Text(), server_default='open', nullable=False),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.CheckConstraint("(status = 'lost') OR lost_reason IS NULL", name='ck_deals_lost_reason_only_when_lost'),
    sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name='ck_deals_closed_at'),
    sa.CheckConstraint("currency = 'USD'", name='ck_deals_currency'),
    sa.CheckConstraint("lost_reason IS NULL OR lost_reason IN ('price', 'competitor', 'no_budget', 'timing', 'no_decision', 'product_fit')", name='ck_deals_lost_reason'),
    sa.CheckConstraint("status IN ('open', 'won', 'lost')", name='ck_deals_status'),
    sa.CheckConstraint('amount IS NULL OR amount >= 0', name='ck_deals_amount'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['deal_stages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_deals_account_id', 'deals', ['account_id'], unique=False)
    op.create_index('ix_deals_amount', 'deals', ['amount'], unique=False)
    op.create_index('ix_deals_contact_id_amount', 'deals', ['contact_id', 'amount'], unique=False)
    op.create_index('ix_deals_owner_id', 'deals', ['owner_id'], unique=False)
    op.create_index('ix_deals_stage_id', 'deals', ['stage_id'], unique=False)
    op.create_index('ix_deals_status_close_date', 'deals', ['status', 'close_date'], unique=False)
    op.create_index('ix_deals_status_closed_at', 'deals', ['status', 'closed_at'], unique=False)
    op.create_table('demo_contact_preferences',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('preferred_weekday', sa.Integer(), nullable=False),
    sa.Column('preferred_hour', sa.Integer(), nullable=False),
    sa.Column('conversion_propensity', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id')
    )
    op.create_table('emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.CheckConstraint("direction = 'outbound' OR (opened_at IS NULL AND clicked_at IS NULL AND replied_at IS NULL)", name='ck_emails_tracking_outbound_only'),
    sa.CheckConstraint("direction IN ('outbound', 'inbound')", name='ck_emails_direction'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_emails_contact_id_sent_at', 'emails', ['contact_id', 'sent_at'], unique=False)
    op.create_index('ix_emails_owner_id', 'emails', ['owner_id'], unique=False)
    op.create_index('ix_emails_sent_at', 'emails', ['sent_at'], unique=False)
    op.create_table('lead_score_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('model_version', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('factors', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_lead_score_history_contact', 'lead_score_history', ['contact_id', 'scored_at'], unique=False)
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR (type = 'call' AND outcome IN ('connected', 'left_voicemail', 'no_answer'))", name='ck_activities_outcome'),
    sa.CheckConstraint("type IN ('call', 'meeting', 'task')", name='ck_activities_type'),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes >= 0', name='ck_activities_duration'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_activities_account_id', 'activities', ['account_id'], unique=False)
    op.create_index('ix_activities_contact_id', 'activities', ['contact_id'], unique=False)
    op.create_index('ix_activities_deal_id', 'activities', ['deal_id'], unique=False)
    op.create_index('ix_activities_open_tasks', 'activities', ['due_at'], unique=False, postgresql_where=sa.text("type = 'task' AND completed_at IS NULL"))
    op.create_index('ix_activities_owner_id', 'activities', ['owner_id'], unique=False)
    op.create_index('ix_activities_type_due', 'activities', ['type', 'due_at'], unique=False)
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notes_account_id', 'notes', ['account_id'], unique=False)
    op.create_index('ix_notes_author_id', 'notes', ['author_id'], unique=False)
    op.create_index('ix_notes_contact_id', 'notes', ['contact_id'], unique=False)
    op.create_index('ix_notes_created_at', 'notes', ['created_at'], unique=False)
    op.create_index('ix_notes_deal_id', 'notes', ['deal_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notes_deal_id', table_name='notes')
    op.drop_index('ix_notes_created_at', table_name='notes')
    op.drop_index('ix_notes_contact_id', table_name='notes')
    op.drop_index('ix_notes_author_id', table_name='notes')
    op.drop_index('ix_notes_account_id', table_name='notes')
    op.drop_table('notes')
    op.drop_index('ix_activities_type_due', table_name='activities')
    op.drop_index('ix_activities_owner_id', table_name='activities')
    op.drop_index('ix_activities_open_tasks', table_name='activities', postgresql_where=sa.text("type = 'task' AND completed_at IS NULL"))
    op.drop_index('ix_activities_deal_id', table_name='activities')
    op.drop_index('ix_activities_contact_id', table_name='activities')
    op.drop_index('ix_activities_account_id', table_name='activities')
    op.drop_table('activities')
    op.drop_index('ix_lead_score_history_contact', table_name='lead_score_history')
    op.drop_table('lead_score_history')
    op.drop_index('ix_emails_sent_at', table_name='emails')
    op.drop_index('ix_emails_owner_id', table_name='emails')
    op.drop_index('ix_emails_contact_id_sent_at', table_name='emails')
    op.drop_table('emails')
    op.drop_table('demo_contact_preferences')
    op.drop_index('ix_deals_status_closed_at', table_name='deals')
    op.drop_index('ix_deals_status_close_date', table_name='deals')
    op.drop_index('ix_deals_stage_id', table_name='deals')
    op.drop_index('ix_deals_owner_id', table_name='deals')
    op.drop_index('ix_deals_contact_id_amount', table_name='deals')
    op.drop_index('ix_deals_amount', table_name='deals')
    op.drop_index('ix_deals_account_id', table_name='deals')
    op.drop_table('deals')
    op.drop_index('ix_contacts_owner_stage', table_name='contacts')
    op.drop_index('ix_contacts_owner_id', table_name='contacts')
    op.drop_index('ix_contacts_lifecycle_stage', table_name='contacts')
    op.drop_index('ix_contacts_lead_score', table_name='contacts')
    op.drop_index('ix_contacts_last_contacted_at', table_name='contacts')
    op.drop_index('ix_contacts_email_lower', table_name='contacts')
    op.drop_index('ix_contacts_country_state', table_name='contacts')
    op.drop_index('ix_contacts_account_id', table_name='contacts')
    op.drop_table('contacts')
    op.drop_index('ix_query_log_user_created', table_name='query_log')
    op.drop_table('query_log')
    op.drop_table('conversations')
    op.drop_index(op.f('ix_api_keys_user_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index('ix_accounts_owner_id', table_name='accounts')
    op.drop_index('ix_accounts_name_lower', table_name='accounts')
    op.drop_index('ix_accounts_industry', table_name='accounts')
    op.drop_index('ix_accounts_country_state', table_name='accounts')
    op.drop_table('accounts')
    op.drop_index(op.f('ix_users_team_id'), table_name='users')
    op.drop_table('users')
    op.drop_table('deal_stages')
    op.drop_index('ix_text_topics_topic', table_name='text_topics')
    op.drop_table('text_topics')
    op.drop_table('teams')
    op.drop_table('pipelines')
    op.drop_table('custom_field_definitions')
