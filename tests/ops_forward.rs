//! Forward values of every primitive op against a straightforward f64 reference
//! (`common::reference`), on every device, over every case of the op table
//! (`common::cases`, an exhaustive `match` over `OpKind`, so a new op does not compile
//! until it has cases).

mod common;

use common::cases::{check_table, table};
use common::{assert_no_failures, check_forward, on_each_device, Tol};
use gradlab::Device;

fn every_op_matches_reference_on(device: &Device) {
    let (failed, total) = check_table(|_| true, |_, case| check_forward(device, case));
    println!("{total} forward cases on {}", device.label());
    assert_no_failures(&failed, total);
}

#[test]
fn every_op_matches_f64_reference() {
    on_each_device(every_op_matches_reference_on);
}

/// Every case is one row: no two share a name (a duplicated row proves nothing twice),
/// and each states a tolerance from the table's classes.
#[test]
fn every_case_of_the_table_is_distinct() {
    let mut names = std::collections::HashSet::new();
    for (kind, cases) in table() {
        for case in cases {
            assert!(
                [
                    Tol::ELEMENTWISE,
                    Tol::ACCUMULATE,
                    Tol::EXACT,
                    Tol::SAME_ORDER,
                    Tol::SUM_SAME_ORDER,
                ]
                .contains(&case.tol),
                "{}: tolerance {:?} is not one of the table's classes",
                case.name,
                case.tol
            );
            assert!(
                names.insert(case.name.clone()),
                "{}: the case {} appears twice",
                kind.name(),
                case.name
            );
        }
    }
}
