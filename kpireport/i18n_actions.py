"""Every sentence of the actions loop (SPEC §3c), in English and Japanese: the OVERDUE and
NO-ACTION findings, the actions page, and the reminder ``kpireport remind`` sends. Merged into
:mod:`kpireport.i18n`'s MESSAGES and LABELS, which everything reads."""

from __future__ import annotations

from kpireport.model import Locale

ACTION_MESSAGES: dict[str, dict[Locale, str]] = {
    # -- findings ----------------------------------------------------------------------------
    "overdue.message": {
        "en": "Action {id} “{action}” on {target} ({owner}) was due {due} and is still open.",
        "ja": "アクション {id}「{action}」（対象：{target}、担当：{owner}）は期限 {due} を過ぎても未完了です。",
    },
    "overdue.suggestion": {
        "en": "Finish it and mark it done with its closed date, drop it, or agree a new due date.",
        "ja": "完了させて状況と完了日を記入するか、中止するか、新しい期限を合意してください。",
    },
    "no_action_red.message": {
        "en": "KPI “{name}” is behind target in {month} and no open action targets it or its KGI.",
        "ja": "KPI「{name}」は{month}に未達ですが、この KPI またはその KGI を対象とする"
        "未完了のアクションがありません。",
    },
    "no_action_red.suggestion": {
        "en": "Agree an action with an owner and a due date, and add it to the Actions sheet.",
        "ja": "担当者と期限を決めたアクションをアクションシートに追加してください。",
    },
    "no_action_review.message": {
        "en": "KPI “{name}” has been red for {months} months running and no open action targets it or its KGI.",
        "ja": "KPI「{name}」は {months} か月連続で赤ですが、この KPI またはその KGI を対象とする"
        "未完了のアクションがありません。",
    },
    "no_action_review.suggestion": {
        "en": "Decide what to do about it, the KPI itself included, and track that on the Actions sheet.",
        "ja": "KPI そのものの見直しも含めて対応を決め、アクションシートで管理してください。",
    },
    "no_action_kgi.message": {
        "en": "KGI “{name}” is off track and no open action targets it or its KPIs.",
        "ja": "KGI「{name}」は未達ペースですが、この KGI またはその KPI を対象とする未完了のアクションがありません。",
    },
    "no_action_kgi.suggestion": {
        "en": "Agree an action on the goal or on the KPI that drives it most, and add it to the Actions sheet.",
        "ja": "KGI または最も影響の大きい KPI へのアクションを決め、アクションシートに追加してください。",
    },
    # -- the actions page: one line per action -------------------------------------------------
    "action_when.overdue": {"en": "due {due}, overdue", "ja": "期限 {due}（超過）"},
    "action_when.open": {"en": "due {due}", "ja": "期限 {due}"},
    "action_when.done": {"en": "done {month}", "ja": "{month}完了"},
    "action_when.dropped": {"en": "dropped {month}", "ja": "{month}中止"},
    "action_when.done_undated": {"en": "done (no closed date)", "ja": "完了（完了日なし）"},
    "action_when.dropped_undated": {"en": "dropped (no closed date)", "ja": "中止（完了日なし）"},
    "action_line": {
        "en": "{action} — {owner}, opened {opened}, {when}",
        "ja": "{action} — {owner}、{opened}開始、{when}",
    },
    "action_line_unopened": {"en": "{action} — {owner}, {when}", "ja": "{action} — {owner}、{when}"},
    "action_who": {"en": "{owner}, {when}", "ja": "{owner}、{when}"},
    "action_line_effect": {"en": "{line}: {effect}", "ja": "{line}：{effect}"},
    "action_line_expected": {"en": "{line}; {expected}", "ja": "{line}。{expected}"},
    "action_moved": {"en": "{effect} ({moved})", "ja": "{effect}（{moved}）"},
    "action_group_heading": {"en": "{label} ({count})", "ja": "{label}（{count}件）"},
    "action_effect": {
        "en": "{target} {before} → {after}, attainment {attainment_before} → {attainment_after}",
        "ja": "{target} {before} → {after}、達成率 {attainment_before} → {attainment_after}",
    },
    "action_effect_plain": {"en": "{target} {before} → {after}", "ja": "{target} {before} → {after}"},
    "action_expected": {"en": "expected {expected} by {due}", "ja": "{due}までに {expected} を期待"},
    "action_reached": {"en": "expected {expected}: reached", "ja": "期待値 {expected}：達成"},
    "action_not_reached": {"en": "expected {expected}: not reached", "ja": "期待値 {expected}：未達"},
    "actions_improved": {
        "en": "Done actions whose KPI improved: {improved} of {judged} ({share}).",
        "ja": "完了したアクションのうち KPI が改善したもの：{judged}件中{improved}件（{share}）。",
    },
    "actions_unjudged": {
        "en": "{count} done action(s) cannot be judged yet: a month before or now has no figure.",
        "ja": "完了したアクション {count}件は、実施前または当月の数値がないため判定できません。",
    },
    # -- kpireport remind ----------------------------------------------------------------------
    "remind_subject": {
        "en": "{company}: your actions — {overdue} overdue, {due_soon} due soon ({month})",
        "ja": "{company}：担当アクションのお知らせ（期限超過 {overdue}件・期限間近 {due_soon}件、{month}）",
    },
    "remind_greeting": {"en": "Hello {owner},", "ja": "{owner} 様"},
    "remind_intro": {
        "en": "These actions from the {month} KPI review are yours.",
        "ja": "{month}の KPI レビューで、次のアクションがあなたの担当です。",
    },
    "remind_section": {"en": "{title}:", "ja": "{title}："},
    "remind_item": {"en": "{action} ({target}) — due {due}", "ja": "{action}（{target}）— 期限 {due}"},
    "remind_close": {
        "en": "When one is done or dropped, set its status and closed date on the Actions sheet; if a "
        "due date must move, agree the new one and change it there.",
        "ja": "完了・中止したものは、アクションシートの状況と完了日を更新してください。期限を変える場合は、"
        "合意のうえアクションシートの期限を書き換えてください。",
    },
}

ACTION_LABELS: dict[str, dict[Locale, str]] = {
    "tracked_actions": {"en": "Tracked actions", "ja": "管理中のアクション"},
    "comment_actions": {"en": "Actions noted in comments", "ja": "コメントに記載されたアクション"},
    "no_tracked_actions": {
        "en": "No action on the Actions sheet is open or ended this quarter.",
        "ja": "アクションシートに、未完了または今四半期に完了・中止したアクションはありません。",
    },
    "actions_group.overdue": {"en": "Overdue", "ja": "期限超過"},
    "actions_group.open": {"en": "Open, by due date", "ja": "未完了（期限順）"},
    "actions_group.ended": {"en": "Done or dropped this quarter", "ja": "今四半期に完了・中止"},
    "action_target": {"en": "KPI / KGI", "ja": "対象"},
    "opened": {"en": "Opened", "ja": "開始月"},
    "due": {"en": "Due", "ja": "期限"},
    "closed": {"en": "Closed", "ja": "完了日"},
    "effect_column": {"en": "Effect", "ja": "効果"},
    "before": {"en": "Before", "ja": "実施前"},
    "now": {"en": "Now", "ja": "当月"},
    "moved": {"en": "Moved", "ja": "変化"},
    "expected_value": {"en": "Expected", "ja": "期待値"},
    "reached": {"en": "Reached", "ja": "期待値達成"},
    "yes": {"en": "Yes", "ja": "はい"},
    "no": {"en": "No", "ja": "いいえ"},
    "action.open": {"en": "Open", "ja": "未完了"},
    "action.done": {"en": "Done", "ja": "完了"},
    "action.dropped": {"en": "Dropped", "ja": "中止"},
    "action.overdue": {"en": "Overdue", "ja": "期限超過"},
    "action.due_soon": {"en": "Due soon", "ja": "期限間近"},
    "moved.improved": {"en": "improved", "ja": "改善"},
    "moved.worsened": {"en": "worsened", "ja": "悪化"},
    "moved.flat": {"en": "flat", "ja": "横ばい"},
    "open_actions": {"en": "Open actions", "ja": "未完了のアクション"},
    "open_action": {"en": "Open action", "ja": "未完了のアクション"},
    "more_actions": {"en": "+{count} more on the actions slides", "ja": "ほか {count}件はアクションのスライドへ"},
    "no_open_actions": {"en": "No open action on this KPI.", "ja": "この KPI に未完了のアクションはありません。"},
    "remind_overdue": {"en": "Overdue", "ja": "期限超過"},
    "remind_due_soon": {"en": "Due next month", "ja": "来月が期限"},
}
