//! The catalog of what a refusal says, by its stable `code`: the Chinese a reader gets by default. `{field}`
//! stands for the request field at fault. English readers get the refusal's own words, written beside the rule
//! that refuses (they name its limits: "stars: a whole number from 1 to 5"), so the catalog holds the Chinese.

use super::Lang;

/// Each code with its Chinese.
const CATALOG: &[(&str, &str)] = &[
    ("account_disabled", "该账号已被停用，请联系管理员。"),
    ("account_taken", "「{field}」已被其他账号使用。"),
    ("already_answered", "这次服务已经确认或提出过异议了。"),
    ("already_registered", "您已经在这个社区登记过了。"),
    ("already_followed_up", "这笔订单已经回访过了。"),
    ("already_taken", "这笔订单已被其他服务方接单。"),
    ("answer_required", "有必答的问题没有回答（{field}）。"),
    ("at_capacity", "您的机构在这个时段已满负荷，无法再接单。"),
    ("bad_request", "请求有误。"),
    ("called_off", "这一天的活动已取消。"),
    ("code_expired", "验证码已过期，请重新获取。"),
    ("code_locked", "验证码输错次数太多，请重新获取。"),
    ("code_malformed", "验证码应为短信里的 6 位数字。"),
    ("code_missing", "请先获取验证码。"),
    ("code_sent_recently", "验证码刚刚发送过，请稍后再试。"),
    ("code_wrong", "验证码不正确。"),
    ("complaint_exists", "这笔订单已有投诉。"),
    ("conflicting_schedule", "“尽快”和预约时段只能选一个。"),
    ("date_in_past", "日期不能早于今天（{field}）。"),
    ("date_out_of_range", "日期超出可选范围（{field}）。"),
    ("date_too_far", "日期太远了（{field}）。"),
    ("duplicate_choice", "选项重复了（{field}）。"),
    ("duplicate_code", "问题编码重复了（{field}）。"),
    ("duplicate_credit_code", "这个统一社会信用代码已被其他机构使用。"),
    ("edit_window_closed", "评价已超过可修改的时间。"),
    ("end_before_start", "结束时间早于开始时间（{field}）。"),
    ("forbidden", "您没有权限进行这项操作。"),
    ("from_after_to", "开始日期晚于结束日期。"),
    ("high_risk_not_mediation", "只有调解类服务可以标记为高风险。"),
    ("holder_busy", "有报名的志愿者在新的时间已有其他班次。"),
    ("idempotency_key_reused", "同一个幂等键已用于另一个请求。"),
    ("in_past", "时间不能早于现在（{field}）。"),
    ("incomplete_location", "经度和纬度要一起填写。"),
    ("internal", "服务器出了点问题，请稍后再试。"),
    ("invalid_address", "地址格式不正确（{field}）。"),
    ("invalid_answer", "回答不符合要求（{field}）。"),
    ("invalid_capacity", "名额数量不正确（{field}）。"),
    ("invalid_choices", "选项不正确（{field}）。"),
    ("invalid_code", "编码格式不正确（{field}）。"),
    ("invalid_credit_code", "统一社会信用代码不正确。"),
    ("invalid_days", "天数不正确（{field}）。"),
    ("invalid_deadline", "答复期限应为 1 到 168 小时。"),
    ("invalid_display_name", "姓名应为 1 到 50 个字。"),
    ("invalid_field", "「{field}」的格式不正确。"),
    ("invalid_kind", "类型不正确（{field}）。"),
    ("invalid_location", "位置不正确（{field}）。"),
    ("invalid_mode", "派单方式应为“派单”或“抢单”。"),
    ("invalid_name", "名称不能为空，最多 100 个字（服务项目和地名最多 50 个字）。"),
    ("invalid_outcome", "回访结果应为“满意”或“发现问题”。"),
    ("invalid_password", "密码应为 8 到 128 位。"),
    ("invalid_phone", "手机号格式不正确。"),
    ("invalid_quota", "服务时长目标应为 0 到 1000 小时。"),
    ("invalid_radius", "服务半径应为 10 到 100000 米。"),
    ("invalid_range", "日期范围不正确（{field}）。"),
    ("invalid_reason", "原因应为 1 到 200 个字。"),
    ("invalid_recurrence", "重复规则不正确（{field}）。"),
    ("invalid_repeat", "重复方式不正确（{field}）。"),
    ("invalid_role", "角色不正确。"),
    ("invalid_shift", "班次不正确（{field}）。"),
    ("invalid_shifts", "每天的班次应为 1 到 20 个。"),
    ("invalid_skills", "技能填写不正确。"),
    ("invalid_stars", "评分应为 1 到 5 星。"),
    ("invalid_state", "状态不正确（{field}）。"),
    ("invalid_routing", "派单方式不正确（{field}）。"),
    ("missing_area", "请选择社区或街道。"),
    ("community_and_street", "工作人员负责一个社区或一整条街道，二者只能选一个。"),
    ("invalid_target_share", "目标份额应为 0.1 到 10。"),
    ("invalid_text", "「{field}」的字数不符合要求。"),
    ("invalid_time", "时间格式应为“时:分”，例如 11:30。"),
    ("invalid_transition", "订单当前的状态不允许这项操作。"),
    ("invalid_until", "结束日期不能早于开始日期。"),
    ("invalid_username", "用户名格式不正确。"),
    ("invalid_weekday", "星期应为 1（周一）到 7（周日）。"),
    ("invalid_working_hours", "营业时间不正确。"),
    ("invitation_invalid", "邀请码无效或已过期。"),
    ("malformed_body", "请求内容不是有效的 JSON，或缺少必填项。"),
    ("malformed_json", "请求内容不是有效的 JSON。"),
    ("members_only", "只有已登记的党员可以报名。"),
    ("method_not_allowed", "不支持这种请求方式。"),
    ("missing_community", "社区工作人员需要选择所在社区。"),
    ("missing_coverage", "请选择服务覆盖的街道或社区。"),
    ("missing_credit_code", "机构需要填写统一社会信用代码。"),
    ("missing_field", "缺少必填项「{field}」。"),
    ("missing_items", "请至少选择一项服务。"),
    ("missing_provider", "服务人员需要选择所属机构。"),
    ("missing_window", "请选择预约时段，或选择“尽快”。"),
    ("no_open_dispute", "这笔订单没有待处理的异议。"),
    ("no_open_offer", "这笔订单没有派给您，或已过期。"),
    ("no_paired_branch", "这个社区还没有结对的党组织。"),
    ("no_visit", "这个计划在起止日期之间没有一次服务。"),
    ("no_weekday", "请至少选择一天。"),
    ("not_a_colleague", "只能转给本机构的同事。"),
    ("not_a_plan_day", "这个计划在那天没有服务。"),
    ("not_a_resident", "只能为居民账号办理。"),
    ("not_checked_in", "还没有签到。"),
    ("not_confirmed", "您的报名还没有确认。"),
    ("not_found", "没有找到，或者您无权查看。"),
    ("not_pending", "这条登记已经处理过了。"),
    ("not_settled", "服务确认之后才能评价。"),
    ("not_started", "班次还没有开始。"),
    ("notes_too_long", "备注太长了。"),
    ("out_of_range", "「{field}」超出允许的范围。"),
    ("outside_plan", "日期不在计划的起止日期之内。"),
    ("overlapping_shift", "您在这个时间已经报名了其他班次。"),
    ("payload_too_large", "请求内容太大了。"),
    ("period_too_long", "时间跨度太长了。"),
    ("phone_taken", "这个手机号已经注册过了。"),
    ("plan_changed", "计划刚被修改过，请刷新后再试。"),
    ("plan_ended", "这个计划已经结束了。"),
    ("problem_state", "这个问题当前的状态不允许这项操作。"),
    ("provider_busy_then", "服务方在那个时间没有空。"),
    ("provider_cannot_take", "这个服务方不能承接这笔订单。"),
    ("questions_changed", "这项服务的问题刚更新过，请刷新后重新填写。"),
    ("rate_limited", "操作太频繁了，请稍后再试。"),
    ("refresh_token_invalid", "登录已过期，请重新登录。"),
    ("refresh_token_reused", "登录凭证被重复使用，为安全起见请重新登录。"),
    ("registration_pending", "您已有一条待审核的登记。"),
    ("shift_closed", "班次已经结束了。"),
    ("shift_started", "班次已经开始，不能再更改。"),
    ("slot_full", "这个时间已约满，请选择其他时间。"),
    ("slots_full", "有几天的这个时间已约满，请换一个时间或调整日期。"),
    ("timeout", "请求超时，请重试。"),
    ("too_early", "还没到签到时间。"),
    ("too_far_ahead", "日期太远了（{field}）。"),
    ("too_long", "「{field}」太长了。"),
    ("too_many", "数量太多了（{field}）。"),
    ("too_many_wrong_codes", "签到码输错次数太多，请找现场负责人。"),
    ("too_short", "「{field}」太短了，至少写 2 个字。"),
    ("unauthorized", "请先登录。"),
    ("unavailable", "服务暂时不可用，请稍后再试。"),
    ("unknown_action", "没有这种操作（{field}）。"),
    ("unknown_branch", "没有这个党组织。"),
    ("unknown_community", "没有这个社区。"),
    ("unknown_item", "没有这项服务。"),
    ("unknown_provider", "没有这个服务方。"),
    ("unknown_question", "这项服务没有这个问题（{field}）。"),
    ("unknown_reference", "引用的记录不存在（{field}）。"),
    ("unknown_street", "没有这个街道。"),
    ("unreadable_body", "请求内容无法读取。"),
    ("unsupported_media_type", "请求内容应为 JSON。"),
    ("until_before_from", "暂停的结束日期早于开始日期。"),
    ("window_end_not_after_start", "结束时间应晚于开始时间。"),
    ("window_in_past", "预约时间不能早于现在。"),
    ("window_too_far_ahead", "预约时间最多提前 90 天。"),
    ("window_too_long", "预约时段最长 24 小时。"),
    ("wrong_code", "签到码不正确。"),
    ("wrong_credentials", "账号或密码不正确。"),
    ("wrong_password", "密码不正确。"),
    ("dates_reversed", "结束日期早于开始日期（{field}）。"),
    ("too_many_dates", "休息日最多 60 个。"),
    ("invalid_search", "请输入 1 到 20 个字的服务名称或拼音。"),
    ("invalid_landline", "固定电话格式不正确：区号加 7 到 8 位号码，如 024-23456789。"),
    ("invalid_resident_query", "请输入完整的手机号或固定电话，或姓名中的 1 到 20 个字。"),
    ("item_retired", "这项服务已停止受理新的订单。"),
    ("invalid_category", "请选择服务类别。"),
    ("not_for_role", "这个账号的角色没有「{field}」这一项。"),
    ("missing_lat", "请同时填写纬度和经度。"),
    ("missing_lng", "请同时填写纬度和经度。"),
    ("missing_parent", "请选择所属的「{field}」。"),
    ("unknown_district", "没有这个区县。"),
    ("duplicate_item_code", "这个服务编码已被其他服务事项使用。"),
    ("invalid_item_code", "服务编码应为 2 到 32 个大写字母、数字或 -，以字母开头，如 CLEAN-031。"),
];

/// The request fields people see named in a refusal, in Chinese; a field not listed is named as sent.
const FIELDS: &[(&str, &str)] = &[
    ("address", "地址"),
    ("answers", "回答"),
    ("body", "请求内容"),
    ("capacity", "名额"),
    ("category", "类别"),
    ("closed_dates", "休息日"),
    ("code", "验证码"),
    ("comment", "评价"),
    ("community_id", "社区"),
    ("coverage_community_ids", "服务社区"),
    ("coverage_street_ids", "服务街道"),
    ("current_password", "当前密码"),
    ("date", "日期"),
    ("description", "说明"),
    ("display_name", "姓名"),
    ("district_id", "区县"),
    ("duration_minutes", "服务时长"),
    ("end_date", "结束日期"),
    ("first_date", "第一天"),
    ("item_id", "服务项目"),
    ("item_ids", "服务项目"),
    ("landline", "固定电话"),
    ("language", "语言"),
    ("lat", "纬度"),
    ("lng", "经度"),
    ("login", "账号"),
    ("manager", "负责人"),
    ("name", "名称"),
    ("new_password", "新密码"),
    ("note", "说明"),
    ("notes", "备注"),
    ("parent_id", "上级"),
    ("password", "密码"),
    ("phone", "手机号"),
    ("place", "地点"),
    ("placed_from", "开始日期"),
    ("placed_to", "结束日期"),
    ("price_fen", "价格"),
    ("q", "查询"),
    ("radius_m", "服务半径"),
    ("reason", "原因"),
    ("resident_id", "居民"),
    ("routing", "派单方式"),
    ("stars", "评分"),
    ("start_date", "开始日期"),
    ("state", "状态"),
    ("street_id", "街道"),
    ("target_share", "派单比重"),
    ("text", "内容"),
    ("time", "时间"),
    ("title", "标题"),
    ("token", "邀请码"),
    ("until", "结束日期"),
    ("username", "用户名"),
    ("window_end", "结束时间"),
    ("window_start", "开始时间"),
    ("working_hours", "营业时间"),
];

/// Every code the catalog words.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|(code, _)| *code)
}

/// Whether the catalog words `code`.
pub fn knows(code: &str) -> bool {
    CATALOG.iter().any(|(c, _)| *c == code)
}

/// A request field as a Chinese reader knows it: `answers.portions` is the answer to 「portions」.
fn field_zh(field: &str) -> String {
    if let Some(question) = field.strip_prefix("answers.") {
        return format!("问题 {question} 的回答");
    }
    FIELDS.iter().find(|(f, _)| *f == field).map_or_else(|| field.to_owned(), |(_, zh)| (*zh).to_owned())
}

/// What a refusal with `code` says to a reader of `lang`: the catalog's Chinese, or for English the refusal's
/// own words. None when the catalog does not know the code.
pub fn detail(code: &str, field: Option<&str>, own: &str, lang: Lang) -> Option<String> {
    if lang == Lang::En {
        return Some(own.to_owned());
    }
    let (_, zh) = CATALOG.iter().find(|(c, _)| *c == code)?;
    Some(zh.replace("{field}", &field.map_or_else(|| "?".to_owned(), field_zh)))
}

/// The title of a refusal with HTTP `status`, in the reader's language.
pub fn title(status: u16, lang: Lang) -> Option<&'static str> {
    let (zh, en) = match status {
        400 => ("请求有误", "Bad Request"),
        401 => ("身份验证未通过", "Unauthorized"),
        403 => ("无权操作", "Forbidden"),
        404 => ("未找到", "Not Found"),
        405 => ("不支持的请求方式", "Method Not Allowed"),
        409 => ("无法完成", "Conflict"),
        413 => ("内容太大", "Payload Too Large"),
        415 => ("格式不支持", "Unsupported Media Type"),
        422 => ("填写有误", "Unprocessable Entity"),
        429 => ("操作太频繁", "Too Many Requests"),
        500 => ("服务器出错", "Internal Server Error"),
        503 => ("服务暂不可用", "Service Unavailable"),
        _ => return None,
    };
    Some(if lang == Lang::ZhCn { zh } else { en })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_in_chinese_by_default_and_in_its_own_english_words_for_english_readers() {
        let own = "stars: a whole number from 1 to 5";
        assert_eq!(detail("invalid_stars", Some("stars"), own, Lang::ZhCn).unwrap(), "评分应为 1 到 5 星。");
        assert_eq!(detail("invalid_stars", Some("stars"), own, Lang::En).unwrap(), own);
        assert_eq!(detail("too_long", Some("notes"), "at most 500", Lang::ZhCn).unwrap(), "「备注」太长了。");
        let unanswered = detail("answer_required", Some("answers.portions"), own, Lang::ZhCn).unwrap();
        assert_eq!(unanswered, "有必答的问题没有回答（问题 portions 的回答）。");
        assert_eq!(detail("no_such_code", None, own, Lang::ZhCn), None);
        assert_eq!(title(422, Lang::ZhCn), Some("填写有误"));
    }

    #[test]
    fn every_code_is_in_the_catalog_once() {
        let mut seen = std::collections::HashSet::new();
        for code in codes() {
            assert!(seen.insert(code), "{code} is in the catalog twice");
        }
    }
}
