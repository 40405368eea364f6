"""Which routes the browser tests scan with axe, and which they need not (POST-only, not HTML), by the
browser test file that says so; benchmarks/tests/test_routes.py checks that every route is one or the other."""

PUBLIC_PAGES = [
    "/",
    "/programmes/",
    "/programmes/implementoring/",
    "/programmes/mixities/",
    "/benchmarks/values-community-building/",
    "/benchmarks/labour-market-partnerships/",
    "/benchmarks/public-perception/",
    "/benchmarks/political-participation/",
    "/benchmarks/migrant-entrepreneurs/",
    "/benchmarks/migrant-entrepreneurs/print/",
    "/benchmarks/values-community-building/factors/appropriate-framework/",
    "/benchmarks/public-perception/factors/staff-development/",
    "/topics/monitoring-and-evaluation/",
    "/charter/",
    "/accessibility/",
    "/cities/",
    "/cities/cesena/",
    "/cities/munich/",
    "/practices/",
    "/practices/?q=volunteers",
    "/practices/?q=volunteers&country=IT",
    "/practices/?q=zzzznothing",
    "/practices/?page=2",
    "/practices/?factor=labour-market-partnerships.network-building",
    "/practices/athens-strategic-plan-migrants-refugees/",
    "/practices/cesena-political-leadership/",
    "/no-such-page/",
]


# tests/browser/test_actionplans.py
# URL names of the plan's pages and where they are scanned (read by benchmarks/tests/test_routes.py).
PLAN_PAGES = {
    "actionplans:plan": "test_coordinator_drafts_the_plan_and_edits_an_action_with_the_keyboard",
    "actionplans:action": "test_coordinator_drafts_the_plan_and_edits_an_action_with_the_keyboard",
    "actionplans:timeline": "test_coordinator_drafts_the_plan_and_edits_an_action_with_the_keyboard",
    "actionplans:history": "test_plan_pages_in_every_state_have_no_axe_violations",
    "actionplans:indicator": "test_plan_pages_in_every_state_have_no_axe_violations",
    "actionplans:public_plan": "test_plan_pages_in_every_state_have_no_axe_violations",
}


# tests/browser/test_actionplans.py
PLAN_POST_ONLY = dict.fromkeys(
    (
        "actionplans:start",
        "actionplans:add_action",
        "actionplans:move",
        "actionplans:delete",
        "actionplans:restore",
        "actionplans:add_indicator",
        "actionplans:delete_indicator",
        "actionplans:add_progress",
        "actionplans:visibility",
    ),
    "POST only; a failed submit re-renders a page scanned here, a good one redirects to it",
)


# tests/browser/test_actionplans.py
PLAN_NOT_HTML = {
    "actionplans:autosave": "JSON for static/js/autosave.js; the action page around it is scanned in its states here",
    "actionplans:pdf": "a PDF download; its text, tags and language are checked in actionplans/tests/test_downloads.py",
    "actionplans:xlsx": "an XLSX download; read back with openpyxl in actionplans/tests/test_downloads.py",
}


# tests/browser/test_assessments.py
# URL names of the assessment pages and where they are scanned (read by benchmarks/tests/test_routes.py).
ASSESSMENT_PAGES = {
    "assessments:assessment": "test_contributor_fills_a_key_factor_with_the_keyboard_alone",
    "pages:factor": "test_contributor_fills_a_key_factor_with_the_keyboard_alone",
    "assessments:context": "test_assessment_pages_in_every_state_have_no_axe_violations",
    "assessments:history": "test_history_publishing_deleting_and_restoring",
}


# tests/browser/test_assessments.py
ASSESSMENT_POST_ONLY = dict.fromkeys(
    (
        "pages:start_assessment",
        "assessments:submit",
        "assessments:reopen",
        "assessments:finalise",
        "assessments:visibility",
        "assessments:delete",
        "assessments:restore",
    ),
    "POST only; a failed submit re-renders a page scanned here, a good one redirects to it",
)


# tests/browser/test_evidence.py
# URL names of the evidence pages and where they are scanned (read by benchmarks/tests/test_routes.py).
EVIDENCE_PAGES = {
    "evidence:library": "test_library_and_item_pages_have_no_axe_violations",
    "evidence:item": "test_library_and_item_pages_have_no_axe_violations",
    "evidence:factor_evidence": "test_contributor_adds_evidence_on_a_key_factor_with_the_keyboard_alone",
}


# tests/browser/test_evidence.py
EVIDENCE_POST_ONLY = dict.fromkeys(
    ("evidence:delete", "evidence:restore", "evidence:attach", "evidence:add_and_attach", "evidence:detach"),
    "POST only; a failed submit re-renders a page scanned here, a good one redirects to it",
)


# tests/browser/test_evidence.py
EVIDENCE_NOT_HTML = {
    "evidence:file": "a file download (attachment, sandbox CSP); its headers are checked in evidence/tests"
}


# tests/browser/test_partners.py
# URL names these tests post to (read by benchmarks/tests/test_routes.py): each answers a redirect to
# the key factor page, or that page (scanned here) with the error or the conflict screen.
PARTNER_POST_ONLY = dict.fromkeys(
    ("pages:partner_rating", "pages:comment", "assessments:delete_comment"),
    "POST only; a failed save re-renders the key factor page, scanned here in that state, a good one redirects",
)


# tests/browser/test_results.py
# URL names of the results pages and where they are scanned (read by benchmarks/tests/test_routes.py).
RESULT_PAGES = {
    "pages:results": "test_results_in_every_state_have_no_axe_violations",
}


# tests/browser/test_rounds.py
# URL names of the rounds pages and where they are scanned (read by benchmarks/tests/test_routes.py).
ROUNDS_PAGES = {
    "pages:next_round": "test_coordinator_starts_the_next_round_with_the_keyboard_alone",
    "assessments:progress": "test_coordinator_starts_the_next_round_with_the_keyboard_alone",
}


# tests/browser/test_rounds.py
ROUNDS_POST_ONLY = {
    "assessments:keep_factor": "POST only; redirects to the overview (scanned here) or back to the key factor page",
}


# tests/browser/test_workbook.py
# Read by benchmarks/tests/test_routes.py.
WORKBOOK_PAGES = {"assessments:import_workbook": "test_workbook_round_trip_with_a_bad_row_then_fixed"}


# tests/browser/test_workbook.py
WORKBOOK_NOT_HTML = {
    "assessments:workbook": "an XLSX download; downloaded and read back in the round trip here, its sheets "
    "checked in assessments/tests/test_workbook.py",
    "assessments:ratings_csv": "a CSV download; its content is checked in assessments/tests/test_report.py",
    "pages:report_pdf": "a PDF download; its tags, language and text are checked in assessments/tests/test_report.py",
}


# tests/browser/test_workbook.py
WORKBOOK_POST_ONLY: dict[str, str] = {}


# tests/browser/test_workspaces.py
# URL names of the workspace pages and where they are scanned (read by benchmarks/tests/test_routes.py).
WORKSPACE_PAGES = {
    "cities:workspaces": "test_workspace_pages_in_every_state_have_no_axe_violations",
    "pages:workspace": "test_coordinator_invites_a_partner_with_the_keyboard_alone",
    "cities:invitation": "test_workspace_pages_in_every_state_have_no_axe_violations",
}


# tests/browser/test_workspaces.py
WORKSPACE_POST_ONLY = dict.fromkeys(
    (
        "cities:request_workspace",
        "cities:create_workspace",
        "cities:approve_request",
        "cities:decline_request",
        "pages:invite",
        "cities:revoke_invitation",
        "pages:change_role",
        "cities:remove_member",
    ),
    "POST only; a failed submit re-renders a page scanned here, a good one redirects to it",
)


# tests/browser/test_accounts.py
# The account pages these journeys scan with axe (benchmarks/tests/test_routes.py reads this).
ACCOUNT_PAGES = {
    "accounts:signup",
    "accounts:signup_done",
    "accounts:verify",
    "accounts:resend_verification",
    "accounts:login",
    "accounts:login_code",
    "accounts:account",
    "accounts:password_change",
    "accounts:mfa_setup",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


# tests/browser/test_accounts.py
ACCOUNT_NOT_HTML = {
    "accounts:logout": "POST only; it redirects to the login page",
    "accounts:keep_alive": "POST only; answers JSON to static/js/session.js (scanned as the warning it drives)",
}


# tests/browser/test_mentoring.py
# URL names of the mentoring pages and where they are scanned (read by benchmarks/tests/test_routes.py).
MENTORING_PAGES = {
    "mentoring:overview": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:notifications": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:mentorship": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:shared_assessment": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:shared_factor": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:shared_plan": "test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares",
    "mentoring:offer": "test_offer_end_early_needs_a_reason_and_another_city_sees_nothing",
    "mentoring:candidates": "test_the_coordinator_finds_candidates_requests_one_and_its_coordinator_accepts",
    "mentoring:schemes": "test_network_staff_set_up_a_scheme_and_pair_two_cities",
    "mentoring:scheme_new": "test_network_staff_set_up_a_scheme_and_pair_two_cities",
    "mentoring:scheme": "test_network_staff_set_up_a_scheme_and_pair_two_cities",
    "mentoring:pair": "test_network_staff_set_up_a_scheme_and_pair_two_cities",
}


# tests/browser/test_mentoring.py
MENTORING_POST_ONLY = dict.fromkeys(
    (
        "mentoring:request",
        "mentoring:read_all",
        "mentoring:mail_choices",
        "mentoring:withdraw",
        "mentoring:accept",
        "mentoring:decline",
        "mentoring:mentors",
        "mentoring:consent",
        "mentoring:end",
        "mentoring:review",
        "mentoring:comment",
        "mentoring:sign",
        "mentoring:activity_delete",
        "mentoring:attachment_add",
        "mentoring:attachment_remove",
        "mentoring:feed_new",
        "mentoring:feed_revoke",
    ),
    "POST only; a failed submit re-renders a page scanned here, a good one redirects to it",
)


# tests/browser/test_mentoring_report.py (not written yet: see the report)
MENTORING_REPORT_NOT_HTML = {"mentoring:report_pdf": "the mentorship report as a tagged PDF"}
MENTORING_REPORT_PAGES = {
    "mentoring:sign_off": "test_sign_off_and_report_pages_have_no_axe_violations",
    "mentoring:report": "test_sign_off_and_report_pages_have_no_axe_violations",
}


# tests/browser/test_mentoring_activities.py
# URL names of the activity pages and the calendar feed page, and where they are scanned.
MENTORING_ACTIVITY_PAGES = {
    "mentoring:activities": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
    "mentoring:activity_calendar": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
    "mentoring:activity_new": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
    "mentoring:activity_edit": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
    "mentoring:activity": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
    "mentoring:feed": "test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations",
}


# tests/browser/test_mentoring_activities.py
MENTORING_NOT_HTML = {
    "mentoring:attachment": "a file download (attachment, sandbox CSP); checked in mentoring/tests/test_activities.py",
    "mentoring:calendar_feed": "the iCalendar feed (text/calendar); parsed in mentoring/tests/test_activities.py",
}


# tests/browser/test_communities.py
# URL names of the communities of practice's pages and where they are scanned (read by
# benchmarks/tests/test_routes.py).
COMMUNITY_PAGES = {
    "communities:list": "test_network_staff_create_a_members_only_community",
    "communities:new": "test_network_staff_create_a_members_only_community",
    "communities:edit": "test_network_staff_create_a_members_only_community",
    "communities:community": "test_a_city_asks_to_join_and_the_coordinator_approves_it",
    "communities:organisation_join": "test_an_organisation_is_invited_by_mail_and_joins",
    "communities:activities": "test_an_activity_is_recorded_with_two_cities_and_a_resource_shared",
    "communities:activity_new": "test_an_activity_is_recorded_with_two_cities_and_a_resource_shared",
    "communities:activity": "test_an_activity_is_recorded_with_two_cities_and_a_resource_shared",
    "communities:resources": "test_an_activity_is_recorded_with_two_cities_and_a_resource_shared",
    "communities:threads": "test_a_post_to_another_member_and_the_coordinator_hides_one_with_a_reason",
    "communities:thread": "test_a_post_to_another_member_and_the_coordinator_hides_one_with_a_reason",
    "communities:history": "test_a_post_to_another_member_and_the_coordinator_hides_one_with_a_reason",
    "communities:ratings": "test_ratings_side_by_side_name_only_the_consenting_cities",
    "communities:strengths": "test_ratings_side_by_side_name_only_the_consenting_cities",
    "communities:summary": "test_ratings_side_by_side_name_only_the_consenting_cities",
}


# tests/browser/test_communities.py
COMMUNITY_POST_ONLY = {
    **dict.fromkeys(
        (
            "communities:ask",
            "communities:ask_organisation",
            "communities:invite_city",
            "communities:invite_organisation",
            "communities:decide",
            "communities:answer",
            "communities:consent",
            "communities:speakers",
            "communities:leave",
        ),
        "POST only; a refused one re-renders the community's page (scanned here in that state), a good one "
        "redirects to it",
    ),
    "communities:moderate": "POST only; redirects to the thread (scanned here) with the outcome or the refusal",
    "communities:resource_remove": "POST only; redirects to the resources page, scanned here",
    "communities:activity_delete": "POST only; redirects to the activities page, scanned here",
}


# tests/browser/test_communities.py
COMMUNITY_NOT_HTML = {
    "communities:resource_download": "a file download (attachment, sandbox CSP); who may download it is checked "
    "in communities/tests/test_activities_resources.py",
}
