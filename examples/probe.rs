fn main() {
    let p = harmspot::Projector::new("EPSG:27700").unwrap();
    println!("{:?} {}", p.forward.description(), p.forward.accuracy_m());
    println!("{:?}", p.forward.point([-1.6178, 54.9783]));
}
