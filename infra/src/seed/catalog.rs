//! The demo catalog: 115 items in nine categories, the kinds of services the city's community network offers,
//! with the questions each kind of service asks before it comes.

use linli_domain::catalog::questions::QuestionInput;
use linli_domain::catalog::{Category, DispatchMode, Questions, Routing};

pub struct DemoItem {
    pub id: i32,
    pub code: String,
    pub name: &'static str,
    pub category: Category,
    pub mode: DispatchMode,
    pub duration_minutes: i32,
    pub price_fen: i64,
    pub routing: Routing,
    pub questions: Questions,
}

/// One category: code prefix, how orders are offered, typical duration, price in fen, and the items.
type Group = (Category, &'static str, DispatchMode, i32, i64, &'static [&'static str]);

const GROUPS: [Group; 9] = [
    (
        Category::Meals,
        "MEAL",
        DispatchMode::Dispatch,
        45,
        1500,
        &[
            "老年助餐堂食",
            "午餐送餐上门",
            "晚餐送餐上门",
            "早餐送餐上门",
            "低盐低脂餐",
            "糖尿病膳食",
            "软食流食",
            "清真餐",
            "节日团圆餐",
            "生日长寿面",
            "营养配餐咨询",
            "助餐卡充值代办",
            "社区食堂预约",
            "病后康复餐",
        ],
    ),
    (
        Category::Cleaning,
        "CLEAN",
        DispatchMode::Broadcast,
        120,
        8000,
        &[
            "日常保洁",
            "深度保洁",
            "油烟机清洗",
            "卫生间除垢",
            "玻璃擦洗",
            "地板打蜡",
            "空调清洗",
            "洗衣机清洗",
            "冰箱除味清洁",
            "衣物洗涤熨烫",
            "被褥拆洗",
            "窗帘清洗",
            "开荒保洁",
            "除螨消毒",
            "居家整理收纳",
        ],
    ),
    (
        Category::Bathing,
        "BATH",
        DispatchMode::Dispatch,
        90,
        6000,
        &["上门助浴", "助浴点洗浴", "床上擦浴", "洗头理发", "修剪指甲", "足部护理", "助浴陪护", "移动助浴车"],
    ),
    (
        Category::MedicalEscort,
        "ESCORT",
        DispatchMode::Dispatch,
        180,
        10000,
        &[
            "陪同就医",
            "代取药品",
            "代约挂号",
            "上门测血压血糖",
            "康复理疗指导",
            "用药整理与提醒",
            "住院陪护",
            "出院接送",
            "体检陪同",
            "慢病随访",
            "心理疏导",
            "紧急呼叫响应",
        ],
    ),
    (
        Category::Repairs,
        "REPAIR",
        DispatchMode::Broadcast,
        60,
        5000,
        &[
            "水管维修",
            "水龙头更换",
            "马桶维修",
            "下水道疏通",
            "电路检修",
            "灯具安装",
            "开关插座更换",
            "燃气灶维修",
            "热水器维修",
            "空调维修",
            "洗衣机维修",
            "冰箱维修",
            "电视维修",
            "门锁维修",
            "换锁开锁",
            "防盗窗维修",
            "家具维修",
            "墙面修补",
            "瓷砖修补",
            "暖气维修",
            "防水补漏",
            "适老化改造评估",
        ],
    ),
    (
        Category::LegalAid,
        "LAW",
        DispatchMode::Dispatch,
        60,
        0,
        &[
            "法律咨询",
            "遗嘱咨询",
            "赡养纠纷咨询",
            "劳动争议咨询",
            "婚姻家事咨询",
            "房产纠纷咨询",
            "消费维权咨询",
            "法律援助申请代办",
            "合同审查",
            "公证事项咨询",
        ],
    ),
    (
        Category::Mediation,
        "MEDIATE",
        DispatchMode::Dispatch,
        90,
        0,
        &[
            "邻里纠纷调解",
            "物业纠纷调解",
            "家庭矛盾调解",
            "噪音扰民调解",
            "停车纠纷调解",
            "漏水纠纷调解",
            "宠物纠纷调解",
            "租赁纠纷调解",
        ],
    ),
    (
        Category::Employment,
        "JOB",
        DispatchMode::Dispatch,
        60,
        0,
        &[
            "就业岗位推荐",
            "简历指导",
            "技能培训报名",
            "灵活就业登记",
            "失业登记代办",
            "创业指导",
            "公益性岗位申请",
            "高校毕业生就业服务",
            "退役军人就业服务",
            "残疾人就业援助",
        ],
    ),
    (
        Category::Volunteer,
        "VOL",
        DispatchMode::Broadcast,
        60,
        0,
        &[
            "志愿陪伴聊天",
            "志愿代购",
            "志愿读报",
            "志愿理发",
            "志愿义诊",
            "志愿家电小修",
            "志愿助学辅导",
            "志愿环境清扫",
            "志愿垃圾分类指导",
            "志愿防诈骗宣传",
            "志愿文艺演出",
            "志愿探访独居老人",
            "志愿扶老助残出行",
            "志愿政策宣讲",
            "志愿手机使用教学",
            "志愿小区巡逻",
        ],
    ),
];

/// Volunteer work goes to Party members; neighbour and property disputes to their mediators.
fn routing_of(category: Category, name: &str) -> Routing {
    match (category, name) {
        (Category::Volunteer, _) => Routing::Volunteer,
        (Category::Mediation, "邻里纠纷调解") => Routing::NeighbourDispute,
        (Category::Mediation, "物业纠纷调解") => Routing::PropertyDispute,
        _ => Routing::Standard,
    }
}

/// What a provider of the category needs to know before coming: meals their portions and diet, bathing how the
/// resident gets about, repairs what is broken. Cleaning asks only what helps, and nothing is required of it,
/// nor of the other categories, which ask nothing.
fn questions_of(category: Category) -> Questions {
    let ask = |code: &str, label: &str, kind: &str, required: bool| QuestionInput {
        code: code.into(),
        label: label.into(),
        kind: kind.into(),
        required,
        ..QuestionInput::default()
    };
    let choices = |list: &[&str]| list.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let inputs = match category {
        Category::Meals => vec![
            QuestionInput { min: Some(1.0), max: Some(5.0), ..ask("portions", "份数", "number", true) },
            QuestionInput {
                choices: choices(&["普通", "低盐", "低糖", "软烂易嚼", "清真"]),
                help: Some("可多选".into()),
                ..ask("diet", "饮食要求", "multiple", false)
            },
        ],
        Category::Bathing => vec![
            QuestionInput {
                choices: choices(&["能自己走动", "需要搀扶", "使用轮椅", "卧床"]),
                ..ask("mobility", "行动能力", "single", true)
            },
            ask("wounds", "皮肤有无破损或伤口", "yes_no", false),
        ],
        Category::Repairs => vec![
            QuestionInput {
                max_chars: Some(200),
                help: Some("例如：厨房水龙头一直滴水".into()),
                ..ask("broken", "哪里坏了", "text", true)
            },
            ask("urgent", "是否漏水、断电等紧急情况", "yes_no", false),
        ],
        Category::Cleaning => vec![
            QuestionInput { min: Some(1.0), max: Some(10.0), ..ask("rooms", "房间数", "number", false) },
            ask("pets", "家中有宠物", "yes_no", false),
        ],
        _ => Vec::new(),
    };
    Questions::parse(inputs).expect("the demo questions keep the rules")
}

/// What the demo item `id` asks; nothing for an id the demo lacks. For tests that place orders through the
/// store, which takes only answers checked against the questions the item asks.
pub fn demo_questions(id: i32) -> Questions {
    build().into_iter().find(|i| i.id == id).map(|i| i.questions).unwrap_or_default()
}

pub fn build() -> Vec<DemoItem> {
    let mut items = Vec::new();
    for (category, prefix, mode, duration, price, names) in GROUPS {
        for (k, name) in names.iter().enumerate() {
            items.push(DemoItem {
                id: items.len() as i32 + 1,
                code: format!("{prefix}-{:03}", k + 1),
                name,
                category,
                mode,
                duration_minutes: duration,
                price_fen: price,
                routing: routing_of(category, name),
                questions: questions_of(category),
            });
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_has_115_items_with_unique_codes() {
        let items = build();
        assert_eq!(items.len(), 115);
        let mut codes: Vec<_> = items.iter().map(|i| i.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 115);
    }

    #[test]
    fn meals_bathing_and_repairs_ask_what_their_provider_needs_and_cleaning_requires_nothing() {
        let items = build();
        let asks = |c: Category| items.iter().find(|i| i.category == c).unwrap().questions.clone();
        let required = |c: Category| -> Vec<String> {
            asks(c).as_slice().iter().filter(|q| q.required).map(|q| q.code.clone()).collect()
        };
        assert_eq!(required(Category::Meals), ["portions"]);
        assert_eq!(required(Category::Bathing), ["mobility"]);
        assert_eq!(required(Category::Repairs), ["broken"]);
        assert!(required(Category::Cleaning).is_empty() && !asks(Category::Cleaning).is_empty());
        assert!(asks(Category::Volunteer).is_empty());
    }

    #[test]
    fn every_category_has_items() {
        let items = build();
        for c in Category::ALL {
            assert!(items.iter().any(|i| i.category == c), "{c:?}");
        }
    }
}
