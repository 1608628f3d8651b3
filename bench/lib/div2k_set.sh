# Sourced by the bench scripts that need a DIV2K-sized set.
# div2k_set SRDIST ROOT TOTAL UNIQUE: a DIV2K tree in ROOT with images 0001…TOTAL, of
# which the first UNIQUE are generated (`srdist demo-data --div2k-shapes`, kept between
# runs) and the others byte copies of them under their own names — decoding work and
# memory are per file, so copies only save generation time (minutes per hundred).
div2k_set() {
    local srdist=$1 root=$2 total=$3 unique=$4
    local gen=$((unique < total ? unique : total)) i name src s
    if [ ! -f "$root/DIV2K_train_HR/$(printf %04d "$gen").png" ]; then
        echo "generating $gen DIV2K-sized images in $root (minutes)"
        "$srdist" demo-data "$root" --layout div2k --div2k-shapes --count "$gen" >/dev/null
    fi
    for ((i = gen + 1; i <= total; i++)); do
        name=$(printf %04d "$i") src=$(printf %04d $(( (i - 1) % gen + 1 )))
        [ -f "$root/DIV2K_train_HR/$name.png" ] && continue
        for s in 2 3 4; do cp "$root/DIV2K_train_LR_bicubic/X$s/${src}x$s.png" "$root/DIV2K_train_LR_bicubic/X$s/${name}x$s.png"; done
        cp "$root/DIV2K_train_HR/$src.png" "$root/DIV2K_train_HR/$name.png"
    done
}
