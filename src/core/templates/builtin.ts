/**
 * The templates Upkeep ships, written from the guidelines' "Issue Management" section. A repo
 * replaces any of them with a file of the same name in `.upkeep/templates/`.
 */

export type TemplateKind = 'bugReport' | 'featureSpec' | 'bugFixComment';

/** The file name a repo uses to replace each template, under `.upkeep/templates/`. */
export const TEMPLATE_FILE_NAMES: Readonly<Record<TemplateKind, string>> = {
  bugReport: 'bug-report.md',
  featureSpec: 'feature-spec.md',
  bugFixComment: 'bug-fix-comment.rb',
};

export const REPO_TEMPLATE_FOLDER = '.upkeep/templates';

/**
 * A report is done when its `Status:` line says Done (or Fixed, Closed, Resolved); until then the
 * On demand tier lists it. The hint in brackets says so to whoever reads the file.
 */
const BUG_REPORT = `# Bug: {{title}}

- Status: Open (write Done here when the fix is deployed and documented)
- Severity: {{tier}} (response within {{responseTime}})
- Response due: {{deadline}}
- Reported: {{created}} by {{author}}
- Branch: {{branch}}

## Steps to reproduce
1. {{field:Step 1}}
2. {{field:Step 2}}
3. {{field:Step 3}}

## Root cause
{{field:Analysis}}

## Fix
{{field:Implementation}}

## Test
{{field:Verification steps}}

## Documentation
{{field:Related documentation updates}}
`;

const FEATURE_SPEC = `# Feature: {{title}}

- Status: Proposed
- Author: {{author}}
- Date: {{date}}
- Branch: {{branch}}

## Requirements
- {{field:Requirement 1}}
- {{field:Requirement 2}}
- {{field:Requirement 3}}

## Acceptance Criteria
- {{field:Criteria 1}}
- {{field:Criteria 2}}
- {{field:Criteria 3}}

## Technical Design
{{field:Technical implementation details}}

## Testing Plan
{{field:Test cases and scenarios}}

## Deployment Plan
{{field:Deployment steps and timeline}}
`;

/** The guidelines' Ruby comment, line for line; `{{title}}` is the brief description. */
const BUG_FIX_COMMENT = `# Bug: {{title}}
# Steps to reproduce:
# 1. {{field:Step 1}}
# 2. {{field:Step 2}}
# 3. {{field:Step 3}}

# Root cause: {{field:Analysis}}

# Fix: {{field:Implementation}}

# Test: {{field:Verification steps}}

# Documentation: {{field:Related documentation updates}}
`;

export const BUILTIN_TEMPLATES: Readonly<Record<TemplateKind, string>> = {
  bugReport: BUG_REPORT,
  featureSpec: FEATURE_SPEC,
  bugFixComment: BUG_FIX_COMMENT,
};

/** Every variable a template may use; anything else between `{{ }}` is reported. */
export const TEMPLATE_VARIABLES = [
  'title',
  'date',
  'created',
  'author',
  'tier',
  'responseTime',
  'deadline',
  'branch',
] as const;
