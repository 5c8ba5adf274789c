//! Demo organ Party branches (机关党支部) and their pairings with communities (三联), shaped like the city's
//! figures: 1,860 branches paired with 671 communities.

use uuid::Uuid;

/// Branches in the demo.
pub const BRANCH_COUNT: usize = 1860;
/// Communities with at least one paired branch.
pub const PAIRED_COMMUNITIES: usize = 671;

/// The organs the demo branches belong to.
const ORGANS: [&str; 12] = [
    "市民政局",
    "市委组织部",
    "市人社局",
    "市卫健委",
    "市司法局",
    "市住建局",
    "市教育局",
    "市财政局",
    "市交通局",
    "市城管局",
    "市税务局",
    "市应急局",
];

const ORDINALS: [&str; 10] = ["第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十"];

#[derive(Clone, Debug)]
pub struct DemoBranch {
    pub id: Uuid,
    pub name: String,
    pub organization: String,
    /// Communities paired with the branch.
    pub communities: Vec<i32>,
}

/// The fixed id of the n-th demo branch (from 1).
pub fn branch_id(n: usize) -> Uuid {
    Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0000_0002_0000 | n as u128)
}

pub fn build() -> Vec<DemoBranch> {
    (0..BRANCH_COUNT)
        .map(|n| {
            let organ = ORGANS[n % ORGANS.len()];
            let number = n / ORGANS.len();
            let name = match ORDINALS.get(number) {
                Some(ordinal) => format!("{organ}机关{ordinal}党支部"),
                None => format!("{organ}机关第{}党支部", number + 1),
            };
            // 7 is prime to 671, so the first 671 branches reach every paired community once; the rest add a
            // second, third… branch to each, and every fifth branch also takes a neighbouring community.
            let first = (n * 7) % PAIRED_COMMUNITIES;
            let mut communities = vec![first as i32 + 1];
            if n % 5 == 0 {
                communities.push(((first + 1) % PAIRED_COMMUNITIES) as i32 + 1);
            }
            DemoBranch { id: branch_id(n + 1), name, organization: organ.to_owned(), communities }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_demo_pairs_1860_branches_with_671_communities() {
        let branches = build();
        assert_eq!(branches.len(), 1860);
        let paired: HashSet<i32> = branches.iter().flat_map(|b| b.communities.clone()).collect();
        assert_eq!(paired.len(), 671);
        assert!(paired.contains(&1), "the demo community has branches");
        let names: HashSet<&str> = branches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names.len(), 1860, "names are distinct");
    }
}
