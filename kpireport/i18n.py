"""Every user-facing sentence of the pack and of findings, in English and Japanese."""

from __future__ import annotations

from kpireport.i18n_actions import ACTION_LABELS, ACTION_MESSAGES
from kpireport.model import Locale

MESSAGES: dict[str, dict[Locale, str]] = {
    # -- findings ----------------------------------------------------------------------------
    "no_unit.message": {
        "en": "KPI “{name}” has no unit.",
        "ja": "KPI「{name}」に単位がありません。",
    },
    "no_unit.suggestion": {
        "en": "Set the unit column: number, currency, percent, or a label such as leads or days.",
        "ja": "単位列に number・currency・percent、または「件」「日」などのラベルを入力してください。",
    },
    "long_name.message": {
        "en": "The name “{start}…” is {length} characters long; the pack shows the first {limit}.",
        "ja": "名称「{start}…」は {length} 文字あり、資料には先頭 {limit} 文字だけを表示します。",
    },
    "long_name.suggestion": {
        "en": "Give it a short name and move the rest to the description column.",
        "ja": "短い名称にして、残りは説明列に書いてください。",
    },
    "vague_name.message": {
        "en": "KPI “{name}” states a wish, not a measure.",
        "ja": "KPI「{name}」は願望であり、測定できる指標になっていません。",
    },
    "vague_name.suggestion": {
        "en": "Make it measurable, e.g. “branded searches at 120% of last year”.",
        "ja": "測定できる形にしてください（例：「指名検索数を前年比120%にする」）。",
    },
    "formula_without_value.message": {
        "en": "The formula {text} for {month} has no saved result, so it is read as no data.",
        "ja": "{month} の数式 {text} に計算結果が保存されていないため、データなしとして扱いました。",
    },
    "formula_without_value.suggestion": {
        "en": "Open the workbook in Excel, let it recalculate, and save it again.",
        "ja": "Excel でブックを開いて再計算し、保存し直してください。",
    },
    "error_value.message": {
        "en": "The cell for {month} holds the error {text}, so it is read as no data.",
        "ja": "{month} のセルがエラー値 {text} のため、データなしとして扱いました。",
    },
    "error_value.suggestion": {
        "en": "Fix the formula so it gives a number, or clear the cell.",
        "ja": "数値になるよう数式を直すか、セルを空にしてください。",
    },
    "not_a_number.message": {
        "en": "“{text}” for {month} is not a number.",
        "ja": "{month} の「{text}」は数値ではありません。",
    },
    "not_a_number.suggestion": {
        "en": "Type a number such as 12.5 (no thousands separators or units), or clear the cell.",
        "ja": "12.5 のような数値（桁区切り・単位なし）を入力するか、セルを空にしてください。",
    },
    "out_of_range.message": {
        "en": "{text} for {month} is beyond ±1e15, more than Excel keeps exactly.",
        "ja": "{month} の {text} は ±1e15 を超えており、Excel が正確に保持できる範囲外です。",
    },
    "out_of_range.suggestion": {
        "en": "Check the cell: a figure this large is a typing or formula error.",
        "ja": "セルを確認してください。この大きさの数値は入力または数式の誤りです。",
    },
    "ambitious_higher.message": {
        "en": "KPI “{name}” targets {target}, more than {factor}× its best month of the last six ({best}).",
        "ja": "KPI「{name}」の目標 {target} は、過去6か月の最高実績 {best} の {factor} 倍を超えています。",
    },
    "ambitious_higher.suggestion": {
        "en": "Check the target is achievable, or mark a deliberate stretch goal as kind okr.",
        "ja": "達成可能な目標か見直すか、意図的なストレッチ目標なら種別を okr にしてください。",
    },
    "ambitious_lower.message": {
        "en": "KPI “{name}” targets {target}, below 1/{factor} of its best month of the last six ({best}).",
        "ja": "KPI「{name}」の目標 {target} は、過去6か月の最良実績 {best} の 1/{factor} を下回っています。",
    },
    "ambitious_lower.suggestion": {
        "en": "Check the target is achievable, or mark a deliberate stretch goal as kind okr.",
        "ja": "達成可能な目標か見直すか、意図的なストレッチ目標なら種別を okr にしてください。",
    },
    "no_kgi.message": {
        "en": "KPI “{name}” is not linked to a KGI.",
        "ja": "KPI「{name}」が KGI に紐づいていません。",
    },
    "no_kgi.suggestion": {
        "en": "Type the id of the KGI this KPI drives in the kgi column, or drop the KPI.",
        "ja": "kgi 列にこの KPI が貢献する KGI の ID を入力するか、KPI を削除してください。",
    },
    "unknown_kgi.message": {
        "en": "KPI “{name}” names KGI “{kgi_id}”, which does not exist.",
        "ja": "KPI「{name}」が存在しない KGI「{kgi_id}」を指定しています。",
    },
    "unknown_kgi.suggestion": {
        "en": "Use an id from the KGI sheet, or add the KGI there.",
        "ja": "KGI シートにある ID を使うか、KGI シートに追加してください。",
    },
    "no_deadline.message": {
        "en": "KGI “{name}” has no deadline.",
        "ja": "KGI「{name}」に期限がありません。",
    },
    "no_deadline.suggestion": {
        "en": "Set a deadline date, e.g. the last day of the fiscal year.",
        "ja": "期限の日付を入力してください（例：期末日）。",
    },
    "skipped_column.message": {
        "en": "The column “{label}” is a total, not a month; it was skipped.",
        "ja": "列「{label}」は月ではなく合計のため、読み飛ばしました。",
    },
    "skipped_column.suggestion": {
        "en": "Nothing to do: kpireport computes QTD, YTD and the forecast itself.",
        "ja": "対応は不要です。四半期・年度累計と予測は kpireport が計算します。",
    },
    "skipped_row.message": {
        "en": "The row “{label}” is a total, not a KPI; it was skipped.",
        "ja": "行「{label}」は KPI ではなく合計のため、読み飛ばしました。",
    },
    "skipped_row.suggestion": {
        "en": "Nothing to do: a total of different KPIs is not a KPI the pack can judge.",
        "ja": "対応は不要です。異なる KPI の合計は評価対象の KPI ではありません。",
    },
    "no_target_row.message": {
        "en": "KPI “{name}” has no row on the Targets sheet, so nothing can be judged against a plan.",
        "ja": "KPI「{name}」の行が目標値シートにないため、計画と比べて評価できません。",
    },
    "no_target_row.suggestion": {
        "en": "Add a row with the KPI's id in column A of the Targets sheet and type its monthly targets.",
        "ja": "目標値シートの A 列にこの KPI の ID の行を追加し、月ごとの目標を入力してください。",
    },
    "no_actual_row.message": {
        "en": "KPI “{name}” has no row on the Actuals sheet.",
        "ja": "KPI「{name}」の行が実績シートにありません。",
    },
    "no_actual_row.suggestion": {
        "en": "Add a row with the KPI's id in column A of the Actuals sheet, where its monthly actuals go.",
        "ja": "実績シートの A 列にこの KPI の ID の行を追加し、月ごとの実績を入力してください。",
    },
    "actual_without_target.message": {
        "en": "KPI “{name}” has actuals without a target in {months}; they are left out of QTD and YTD.",
        "ja": "KPI「{name}」は {months} に目標のない実績があり、四半期・年度累計から除外しています。",
    },
    "actual_without_target.suggestion": {
        "en": "Type the target of those months on the Targets sheet.",
        "ja": "目標値シートにその月の目標を入力してください。",
    },
    "missing_targets.message": {
        "en": "KPI “{name}” has no target for {count} month(s) of this fiscal year: {months}.",
        "ja": "KPI「{name}」は今年度の {count} か月分の目標がありません：{months}",
    },
    "missing_targets.suggestion": {
        "en": "Fill in a target for every month on the Targets sheet.",
        "ja": "目標値シートに全月の目標を入力してください。",
    },
    "focus.message": {
        "en": "Department “{department}” tracks {count} KPIs; more than {limit} dilutes focus.",
        "ja": "部署「{department}」の KPI が {count} 個あります。{limit} 個を超えると焦点がぼやけます。",
    },
    "focus.suggestion": {
        "en": "Keep the 3-5 KPIs that drive the KGI most; track the rest as operational metrics.",
        "ja": "KGI への影響が大きい 3〜5 個に絞り、残りは業務指標として管理してください。",
    },
    "balance.message": {
        "en": "No KPI covers the {perspective} perspective of the scorecard.",
        "ja": "バランス・スコアカードの「{perspective}」の視点に KPI がありません。",
    },
    "balance.suggestion": {
        "en": "Consider one KPI for this perspective so the scorecard stays balanced.",
        "ja": "この視点の KPI を 1 つ検討してください。",
    },
    "review.message": {
        "en": "KPI “{name}” has been red for {months} months running.",
        "ja": "KPI「{name}」は {months} か月連続で赤です。",
    },
    "review.suggestion": {
        "en": "Review the KPI itself (target, definition, the lever it measures), not only the actions.",
        "ja": "施策だけでなく、KPI そのもの（目標・定義・対象とするレバー）を見直してください。",
    },
    "disconnect.message": {
        "en": "KGI “{name}” is off track although {green} of its {total} KPIs are green.",
        "ja": "KGI「{name}」は未達ペースですが、KPI は {total} 個中 {green} 個が緑です。",
    },
    "disconnect.suggestion": {
        "en": "The KPIs may not drive the goal: revisit which process measures move this KGI.",
        "ja": "KPI が KGI を動かしていない可能性があります。KGI に効くプロセス指標を見直してください。",
    },
    "direction.message": {
        "en": "KPI “{name}” sounds lower-is-better but its direction is higher.",
        "ja": "KPI「{name}」は低いほど良い指標に見えますが、方向が higher です。",
    },
    "direction.suggestion": {
        "en": "Set direction to lower if less is better, so attainment and status are right.",
        "ja": "低いほど良い指標なら方向を lower にしてください（達成率と状態が正しくなります）。",
    },
    "driver_gap.message": {
        "en": "KGI “{name}”: the KPI targets imply {implied} against {target}: {gap} {side}.",
        "ja": "KGI「{name}」：KPI の目標から計算すると {implied} で、目標 {target} に対し {gap} {side}。",
    },
    "driver_gap.suggestion": {
        "en": "Raise a KPI target or lower the KGI (kpireport plan --solve finds the factor).",
        "ja": "KPI の目標を引き上げるか KGI を見直してください（kpireport plan --solve で必要な倍率を計算できます）。",
    },
    "driver_missing.message": {
        "en": "KGI “{name}”: the KPI targets cannot be checked against it: {driver} has no target for {month}.",
        "ja": "KGI「{name}」：{driver} に {month} の目標がないため、KPI の目標と照合できません。",
    },
    "driver_missing.suggestion": {
        "en": "Type a target for every month from the KGI's start to its deadline.",
        "ja": "KGI の開始から期限までの各月に目標を入力してください。",
    },
    "driver_zero.message": {
        "en": "KGI “{name}”: with the targets of {month}, its formula divides by zero.",
        "ja": "KGI「{name}」：{month} の目標では計算式がゼロ除算になります。",
    },
    "driver_zero.suggestion": {
        "en": "Check the targets of the KPIs the formula divides by, or the formula itself.",
        "ja": "計算式で割っている KPI の目標、または計算式を確認してください。",
    },
    "driver_overflow.message": {
        "en": "KGI “{name}”: with the targets of {month}, its formula gives a number too large to compute; "
        "the KPI targets cannot be checked against it.",
        "ja": "KGI「{name}」：{month} の目標では計算式の値が大きすぎて計算できないため、KPI の目標と照合できません。",
    },
    "driver_overflow.suggestion": {
        "en": "Check the formula's constants and the targets it multiplies (a figure can reach ±1.8e308 at most).",
        "ja": "計算式の定数と、掛け合わせている目標の値を確認してください（計算できるのは ±1.8e308 までです）。",
    },
    "driver_overflow_actual.message": {
        "en": "KGI “{name}”: with the actuals of {month}, its formula gives a number too large to compute; "
        "the driver bridge leaves out the months it cannot compute ({count}).",
        "ja": "KGI「{name}」：{month} の実績では計算式の値が大きすぎて計算できません。"
        "ドライバー分析から計算できない月（{count} か月）を除いています。",
    },
    "driver_overflow_actual.suggestion": {
        "en": "Check the formula's constants and the actuals it multiplies (a figure can reach ±1.8e308 at most).",
        "ja": "計算式の定数と、掛け合わせている実績の値を確認してください（計算できるのは ±1.8e308 までです）。",
    },
    "driver_beyond.message": {
        "en": "KGI “{name}”: its formula gives {figure} for {what}, beyond {limit}, more than any figure of the "
        "workbook; the pack shows it rounded.",
        "ja": "KGI「{name}」：計算式による{what}が {figure} となり、{limit} を超えています（ブックの数値の上限を"
        "超えるため、資料では丸めて表示しています）。",
    },
    "driver_beyond.suggestion": {
        "en": "Check the formula's constants and units: the formula of the drivers should give the KGI's own figure.",
        "ja": "計算式の定数と単位を確認してください（ドライバーの計算式は KGI 自身の値になるはずです）。",
    },
    "figure.implied": {"en": "the implied target", "ja": "目標の積み上げ"},
    "figure.planned": {"en": "the plan to date", "ja": "計画（累計）"},
    "figure.actual": {"en": "the actual to date", "ja": "実績（累計）"},
    "mix_volume.message": {
        "en": "Department “{department}” tracks only volume KPIs (counts or money).",
        "ja": "部署「{department}」の KPI は量（件数・金額）の指標だけです。",
    },
    "mix_volume.suggestion": {
        "en": "Add a quality or rate KPI (win rate, conversion, churn) so more activity is not mistaken for progress.",
        "ja": "質や率の指標（受注率・転換率・解約率など）を加え、量だけで進捗を判断しないようにしてください。",
    },
    "align.message": {
        "en": "Goal “{name}” asks {target}; the targets of its KPI “{kpi_name}” add up to {total} "
        "from {first} to {last} ({gap} {side}).",
        "ja": "KGI「{name}」の目標は {target} ですが、KPI「{kpi_name}」の{first}〜{last}の目標の合計は "
        "{total} です（{gap}{side}）。",
    },
    "align.suggestion": {
        "en": "Make the KPI's monthly targets add up to the goal, or change the goal: progress is judged "
        "against the KPI's plan, the pace and the landing against the goal.",
        "ja": "KPI の月次目標の合計を KGI の目標に合わせるか、KGI の目標を見直してください。"
        "進捗は KPI の計画で、必要ペースと着地は KGI の目標で判定します。",
    },
    "mix_rate.message": {
        "en": "Department “{department}” tracks only rates or levels, no volume KPI.",
        "ja": "部署「{department}」の KPI は率・水準の指標だけで、量の指標がありません。",
    },
    "mix_rate.suggestion": {
        "en": "Add a volume KPI (deals, leads, revenue) so a good rate on little activity is seen as such.",
        "ja": "量の指標（件数・リード数・売上など）を加え、少ない活動量での高い率を見誤らないようにしてください。",
    },
    # Of the months the bridge spans (named above it), not of the report month alone: a driver
    # may be ahead to date and behind this month.
    "bridge_short": {
        "en": "Over these months, {driver} explains most of the shortfall: {effect} of the {variance} against plan.",
        "ja": "この期間の計画との差{variance}のうち、最も大きな要因は{driver}（{effect}）です。",
    },
    "bridge_ahead": {
        "en": "Over these months, ahead of plan by {variance}; {driver} held it back most ({effect}).",
        "ja": "この期間は計画を{variance}上回っていますが、{driver}が最も足を引っ張っています（{effect}）。",
    },
    "bridge_clear": {
        "en": "Over these months, every driver is on plan or ahead of it: {variance} against plan.",
        "ja": "この期間、すべてのドライバーが計画どおりか上回っています（計画との差{variance}）。",
    },
    "bridge_span": {
        "en": "{first} – {last}: planned {planned}, actual {actual}",
        "ja": "{first}〜{last}：計画 {planned}、実績 {actual}",
    },
    "restated.message": {
        "en": "{department} · {name} · {month} {field} restated {before} → {after}.",
        "ja": "{department}・{name}・{month}の{field}が修正されました：{before} → {after}。",
    },
    "restated.suggestion": {
        "en": "Check that the change to a month already reported is intended, and say why in the Comments sheet.",
        "ja": "報告済みの月の数値変更が意図したものか確認し、理由をコメントシートに記入してください。",
    },
    "kpi_alt": {
        "en": "{name}: {actual} in {month} against a target of {target}",
        "ja": "{name}：{month}の実績 {actual}、目標 {target}",
    },
    "kpi_alt_none": {
        "en": "{name}: no actual for {month}; target {target}",
        "ja": "{name}：{month}の実績なし、目標 {target}",
    },
    "kpi_alt_up": {"en": "; up from {prior} a year earlier", "ja": "、前年同月 {prior} から増加"},
    "kpi_alt_down": {"en": "; down from {prior} a year earlier", "ja": "、前年同月 {prior} から減少"},
    "kpi_alt_level": {"en": "; level with {prior} a year earlier", "ja": "、前年同月 {prior} と同水準"},
    "kgi_alt": {
        "en": "{name}: progress {progress} against {expected} expected by now, {state}",
        "ja": "{name}：進捗 {progress}（想定 {expected}）、{state}",
    },
    "pace": {
        "en": "Needs {per_month} a month for {months} months; has averaged {average}.",
        "ja": "残り{months}か月、月{per_month}のペースが必要（これまでの平均 {average}）。",
    },
    "pace_plan": {
        "en": "Needs {per_month} a month for {months} months; the plan asks {plan}.",
        "ja": "残り{months}か月、月{per_month}のペースが必要（計画は月{plan}）。",
    },
    "pace_so_far": {"en": "{average} (so far)", "ja": "{average}（これまでの平均）"},
    "pace_reached": {"en": "Target already reached.", "ja": "目標は達成済みです。"},
    # -- commentary (SPEC §3b): what, why, next, the key messages ---------------------------------
    "c_what": {
        "en": "{name} was {actual} {period} against a target of {target}, {gap} {side} ({attainment} attainment).",
        "ja": "{name}は{period}実績{actual}、目標{target}を{gap}{side}（達成率{attainment}）。",
    },
    "c_what_prior": {
        "en": "{name} was {actual} {period} against a target of {target}, {gap} {side} "
        "({attainment} attainment), against {prior} {a_year_earlier}.",
        "ja": "{name}は{period}実績{actual}、目標{target}を{gap}{side}"
        "（達成率{attainment}、{a_year_earlier}{prior}）。",
    },
    "c_what_bare": {
        "en": "{name} was {actual} {period} against a target of {target}, {gap} {side}.",
        "ja": "{name}は{period}実績{actual}、目標{target}を{gap}{side}。",
    },
    "c_what_bare_prior": {
        "en": "{name} was {actual} {period} against a target of {target}, {gap} {side}, "
        "against {prior} {a_year_earlier}.",
        "ja": "{name}は{period}実績{actual}、目標{target}を{gap}{side}（{a_year_earlier}{prior}）。",
    },
    "period.month": {"en": "in {month}", "ja": "{month}の"},
    "period.ytd": {"en": "year to date", "ja": "年度累計の"},
    "prior.month": {"en": "a year earlier", "ja": "前年同月"},
    "prior.ytd": {"en": "a year earlier", "ja": "前年同期"},
    # Said as good or bad, and in Japanese also as up or down: a cost under target is better.
    "side.higher.better": {"en": "better than target", "ja": "上回りました"},
    "side.higher.worse": {"en": "worse than target", "ja": "下回り未達です"},
    "side.lower.better": {"en": "better than target", "ja": "下回り良好です"},
    "side.lower.worse": {"en": "worse than target", "ja": "上回り未達です"},
    "c_why_driver_month": {
        "en": "It moved {goal} by {month} this month and by {total} to date.",
        "ja": "{goal}への影響は今月{month}、年度累計{total}です。",
    },
    "c_why_driver": {
        "en": "It has moved {goal} by {total} to date.",
        "ja": "{goal}への影響は年度累計{total}です。",
    },
    "c_why_drag": {
        "en": "The largest drag on {goal} to date is {driver}, at {effect}.",
        "ja": "{goal}の年度累計での最大の押し下げ要因は{driver}（{effect}）です。",
    },
    "c_why_drag_month": {
        "en": "The largest drag on {goal} this month was {driver}, at {effect}.",
        "ja": "今月の{goal}の最大の押し下げ要因は{driver}（{effect}）です。",
    },
    "c_why_restated": {
        "en": "{month}'s {field} was restated from {before} to {after} since the last pack.",
        "ja": "前回の資料以降、{month}の{field}が{before}から{after}に修正されました。",
    },
    "c_why_streak": {
        "en": "It has been behind target for {months} months running.",
        "ja": "{months}か月連続で未達です。",
    },
    "c_next_outlook": {
        "en": "The full-year outlook is {outlook} against a target of {full_year} ({attainment}).",
        "ja": "通期の着地見込は{outlook}で、通期目標{full_year}に対し{attainment}です。",
    },
    "c_next_pace": {
        "en": "The rest of the year needs {per_month} a month.",
        "ja": "残りの期間は月{per_month}のペースが必要です。",
    },
    "c_goal": {
        "en": "{goal} is {state}: {progress} of its target done against {expected} planned by now.",
        "ja": "{goal}は{state}です（進捗{progress}、計画上の想定{expected}）。",
    },
    "c_goal_level": {
        "en": "{goal} is {state} at {progress} of its target.",
        "ja": "{goal}は{state}です（目標に対し{progress}）。",
    },
    "c_goal_landing": {
        "en": "{goal} is {state} and lands at {outlook} against its target of {target}.",
        "ja": "{goal}は{state}で、着地見込は{outlook}（目標{target}）です。",
    },
    "c_goal_landing_moved": {
        "en": "{goal} is {state} and lands at {outlook} against its target of {target}, from {previous} "
        "in the last pack.",
        "ja": "{goal}は{state}で、着地見込は{outlook}（目標{target}、前回資料では{previous}）です。",
    },
    "c_goal_pace": {"en": "It needs {per_month} a month from here.", "ja": "今後は月{per_month}のペースが必要です。"},
    "state.on_track": {"en": "on track", "ja": "計画どおり"},
    "state.at_risk": {"en": "at risk", "ja": "要注意"},
    "state.off_track": {"en": "off track", "ja": "計画未達"},
    "c_decisions": {"en": "Decisions needed: {items}.", "ja": "判断が必要な事項：{items}。"},
    "c_decide_review": {
        "en": "a review of {name}, behind target {months} months running",
        "ja": "{months}か月連続で未達の{name}の見直し",
    },
    "c_decide_disconnect": {
        "en": "why {goal} is off track while its KPIs are on target",
        "ja": "KPIは達成しているのに{goal}が計画未達である理由",
    },
    "c_decide_driver": {
        "en": "the driver targets of {goal} ({gap} {side})",
        "ja": "{goal}のドライバー目標（{gap}{side}）",
    },
    "c_decide_align": {
        "en": "the KPI plan under {goal}, which does not add up to the goal ({gap} {side})",
        "ja": "{goal}のKPI計画の合計とKGI目標の差（{gap}{side}）",
    },
    "c_decide_overdue": {"en": "overdue actions ({count})", "ja": "期限超過のアクション（{count}件）"},
    "c_decide_no_action": {"en": "an action for {names}", "ja": "{names}への対応策"},
    "c_note": {"en": "“{text}” — {owner}", "ja": "「{text}」（{owner}）"},
    "c_note_bare": {"en": "“{text}”", "ja": "「{text}」"},
    "short": {"en": "short", "ja": "不足"},
    "over": {"en": "over", "ja": "超過"},
    "perspective.financial": {"en": "financial", "ja": "財務"},
    "perspective.customer": {"en": "customer", "ja": "顧客"},
    "perspective.process": {"en": "process", "ja": "業務プロセス"},
    "perspective.learning": {"en": "learning & growth", "ja": "学習と成長"},
    **ACTION_MESSAGES,
}

LABELS: dict[str, dict[Locale, str]] = {
    "title": {"en": "KPI review", "ja": "KPI レビュー"},
    "monthly_review": {"en": "Monthly KPI review", "ja": "月次KPIレビュー"},
    "scope": {"en": "For", "ja": "対象範囲"},
    "scope_all": {"en": "Whole company", "ja": "全社"},
    "prepared": {"en": "Prepared", "ja": "作成日"},
    "report_month": {"en": "Report month", "ja": "報告月"},
    "fiscal_year": {"en": "Fiscal year from", "ja": "会計年度開始"},
    "summary": {"en": "Executive summary", "ja": "エグゼクティブサマリー"},
    "key_messages": {"en": "Key messages", "ja": "キーメッセージ"},
    "drafted": {"en": "Drafted", "ja": "自動作成"},
    "controller": {"en": "Controller", "ja": "管理者記入"},
    "commentary": {"en": "Commentary", "ja": "コメンタリー"},
    "subject": {"en": "Subject", "ja": "対象"},
    "source": {"en": "Source", "ja": "出所"},
    "refs": {"en": "Figures (JSON)", "ja": "数値の出所（JSON）"},
    "drafted_legend": {
        "en": "Drafted: written by kpireport from the figures; the controller's own words replace it "
        "(the Commentary sheet).",
        "ja": "自動作成：数値から kpireport が作成した文章です。"
        "コメンタリーシートに記入すると、その文章に置き換わります。",
    },
    "kgis": {"en": "Goals (KGI)", "ja": "最終目標（KGI）"},
    "kgi": {"en": "KGI", "ja": "KGI"},
    "target": {"en": "Target", "ja": "目標"},
    "actual": {"en": "Actual", "ja": "実績"},
    "progress": {"en": "Progress", "ja": "進捗"},
    "expected": {"en": "Expected", "ja": "想定進捗"},
    "deadline": {"en": "Deadline", "ja": "期限"},
    "on_track": {"en": "On track", "ja": "順調"},
    "at_risk": {"en": "At risk", "ja": "要注意"},
    "off_track": {"en": "Off track", "ja": "遅れ"},
    "unknown": {"en": "Unknown", "ja": "不明"},
    "status_counts": {"en": "KPI status this month", "ja": "今月の KPI 状況"},
    "movers": {"en": "Biggest movers", "ja": "今月の主な変動"},
    "no_movers": {"en": "No month-over-month change to report.", "ja": "前月比の変動はありません。"},
    "kpi": {"en": "KPI", "ja": "KPI"},
    "attainment": {"en": "Attain.", "ja": "達成率"},
    "status": {"en": "Status", "ja": "状態"},
    "mom": {"en": "vs last month", "ja": "前月比"},
    "qtd": {"en": "QTD", "ja": "四半期累計"},
    "ytd": {"en": "YTD", "ja": "年度累計"},
    "forecast": {"en": "FY at run rate", "ja": "通期（現ペース）"},
    "variance": {"en": "vs target", "ja": "目標差"},
    "yoy": {"en": "vs last year", "ja": "前年比"},
    "last_year": {"en": "last year", "ja": "前年"},
    "outlook": {"en": "Outlook", "ja": "着地見込"},
    "run_rate": {"en": "At run rate", "ja": "現ペース"},
    # The goal card's landing is against the goal itself; a KPI table's full year is against
    # the KPI's plan, which may add up to more or less (ALIGN): the card says which it is.
    "against_goal": {"en": "Against the goal: ", "ja": "KGI目標比："},
    "trends": {"en": "Trends", "ja": "推移"},
    "trend_chart": {"en": "fiscal year by month", "ja": "年度の月次推移"},
    "legend_actual": {"en": "Actual", "ja": "実績"},
    "legend_target": {"en": "Target", "ja": "目標"},
    "legend_prior": {"en": "Last year", "ja": "前年実績"},
    "legend_outlook": {"en": "Outlook", "ja": "着地見込"},
    "comment": {"en": "Comment", "ja": "コメント"},
    "action": {"en": "Action", "ja": "アクション"},
    "owner": {"en": "Owner", "ja": "担当"},
    "findings": {"en": "KPI design findings", "ja": "KPI 設計の指摘事項"},
    "no_findings": {"en": "No findings: the KPI set passes every check.", "ja": "指摘事項はありません。"},
    "suggestion": {"en": "Suggestion", "ja": "提案"},
    "code": {"en": "Code", "ja": "区分"},
    "finding": {"en": "Finding", "ja": "指摘"},
    "where": {"en": "Cell", "ja": "セル"},
    "contents": {"en": "Contents", "ja": "目次"},
    "department": {"en": "Department", "ja": "部署"},
    "page": {"en": "Page", "ja": "ページ"},
    "status.green": {"en": "On target", "ja": "達成"},
    "status.amber": {"en": "Watch", "ja": "注意"},
    "status.red": {"en": "Behind", "ja": "未達"},
    "status.no_data": {"en": "No data", "ja": "データなし"},
    "severity.error": {"en": "Errors", "ja": "エラー"},
    "severity.warning": {"en": "Warnings", "ja": "警告"},
    "severity.info": {"en": "Notes", "ja": "情報"},
    "pace_title": {"en": "Catch-up pace", "ja": "必要ペース"},
    "pace_needed": {"en": "Needs / month", "ja": "必要な月間ペース"},
    "pace_average": {"en": "Averaged", "ja": "これまでの平均"},
    "pace_plan": {"en": "Plan / month", "ja": "計画の月平均"},
    "pace_months": {"en": "Months left", "ja": "残り月数"},
    "pace_none": {"en": "Every cumulative KPI is on pace.", "ja": "累計型の KPI はすべて必要ペースを満たしています。"},
    "actions": {"en": "Actions", "ja": "アクション一覧"},
    "no_actions": {"en": "No actions on the Comments sheet.", "ja": "コメントシートにアクションはありません。"},
    "month": {"en": "Month", "ja": "月"},
    "tree": {"en": "KGI → KPI tree", "ja": "KGI→KPI ツリー"},
    "formula": {"en": "Formula", "ja": "計算式"},
    "changes": {"en": "Changes since the last pack", "ja": "前回資料からの変更"},
    "changes_since": {"en": "Compared with the pack for {month}.", "ja": "{month}の資料と比較しています。"},
    "kpis_added": {"en": "KPIs added", "ja": "追加された KPI"},
    "kpis_removed": {"en": "KPIs removed", "ja": "削除された KPI"},
    "field.actual": {"en": "actual", "ja": "実績"},
    "field.target": {"en": "target", "ja": "目標"},
    "bridges": {"en": "What drives the goals", "ja": "KGI の要因分析"},
    "planned": {"en": "Planned", "ja": "計画"},
    "effect": {"en": "Effect", "ja": "影響額"},
    "bridge_none": {
        "en": "No month yet has every driver's target and actual.",
        "ja": "すべてのドライバーの目標と実績がそろった月はまだありません。",
    },
    "bridge_overflow": {
        "en": "Its formula gives numbers too large to compute in every month with actuals (see the findings).",
        "ja": "実績のある月はすべて、計算式の値が大きすぎて計算できません（指摘事項を参照）。",
    },
    "no_kgi_group": {"en": "KPIs without a KGI", "ja": "KGI 未設定の KPI"},
    "scorecard": {"en": "Balanced scorecard", "ja": "バランス・スコアカード"},
    "perspective": {"en": "Perspective", "ja": "視点"},
    "kpis_count": {"en": "KPIs", "ja": "KPI 数"},
    "quarterly": {"en": "Quarterly review", "ja": "四半期レビュー"},
    "quarter_span": {"en": "{first} – {last}", "ja": "{first}〜{last}"},
    "qoq": {"en": "vs last quarter, same months", "ja": "前四半期同期比"},
    "okr_score": {"en": "OKR score", "ja": "OKR スコア"},
    "to_review": {"en": "KPIs to review (red three months running)", "ja": "見直すべき KPI（3か月連続で赤）"},
    "disconnected": {"en": "Goals off track while their KPIs are green", "ja": "KPI は緑だが未達ペースの KGI"},
    "none": {"en": "None.", "ja": "該当なし。"},
    # The interactive HTML's controls and detail view.
    "explore": {"en": "Explore the KPIs", "ja": "KPI の絞り込み"},
    "filter_status": {"en": "Status", "ja": "状態"},
    "filter_department": {"en": "Department", "ja": "部署"},
    "all_departments": {"en": "All departments", "ja": "すべての部署"},
    "search_kpis": {"en": "Search KPI names", "ja": "KPI 名で検索"},
    "reset": {"en": "Show all", "ja": "すべて表示"},
    "shown_count": {"en": "{shown} of {total} KPIs shown", "ja": "{total} 件中 {shown} 件の KPI を表示"},
    "sort_by": {"en": "Sort by {column}", "ja": "{column}で並べ替え"},
    "close": {"en": "Close", "ja": "閉じる"},
    "detail_chart": {"en": "{name}: the fiscal year by month", "ja": "{name}：年度の月次推移"},
    "comments_actions": {"en": "Comments and actions", "ja": "コメントとアクション"},
    "no_comments": {"en": "No comment on this KPI yet.", "ja": "この KPI へのコメントはまだありません。"},
    "kpi_findings": {"en": "Findings on this KPI", "ja": "この KPI への指摘"},
    "no_kpi_findings": {"en": "No finding on this KPI.", "ja": "この KPI への指摘はありません。"},
    "audit": {"en": "Audit trail", "ja": "監査情報"},
    "audit_source": {"en": "Built from", "ja": "元データ"},
    "audit_attached": {"en": "attached to this PDF", "ja": "この PDF に添付"},
    "pack_attached": {"en": "The pack is attached.", "ja": "資料を添付しました。"},
    "legend": {
        "en": "Attainment = actual ÷ target (target ÷ actual where lower is better). "
        "QTD/YTD use the months with both an actual and a target. "
        "FY at run rate = the YTD monthly average × 12 against the full-year target (shown when all 12 "
        "targets are set); "
        "outlook = YTD actual plus the Forecast sheet's estimates (the run rate where it has none).",
        "ja": "達成率＝実績÷目標（低いほど良い指標は目標÷実績）。四半期・年度累計は実績と目標がそろった月で集計。"
        "通期（現ペース）＝年度累計の月平均×12 と通期目標の比較（12か月分の目標がある場合）。"
        "着地見込＝年度累計実績＋見込シートの数値（空欄の月は月平均）。",
    },
    **ACTION_LABELS,
}


def message(locale: Locale, key: str, **fields: object) -> str:
    return MESSAGES[key][locale].format(**fields)


def labels(locale: Locale) -> dict[str, str]:
    return {key: text[locale] for key, text in LABELS.items()}
