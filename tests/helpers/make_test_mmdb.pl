#!/usr/bin/perl
# Builds a small GeoIP2-City-like MaxMind DB for Consentry's geo tests and benchmarks, with
# MaxMind's own writer (Debian: libmaxmind-db-writer-perl).
#
#   make_test_mmdb.pl OUT.mmdb [SPEC.tsv] [--random N] [--seed S] [--ipv4-only]
#
# SPEC.tsv: one network per line, tab-separated: CIDR, country ISO code, first subdivision ISO
# code (without the country prefix, "-" for none), continent code ("-" for none). Lines starting
# with '#' are ignored. --random N adds N /24 IPv4 networks and N /48 IPv6 networks spread over
# a few countries (deterministic for a given --seed), inserted before the spec so the spec wins.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ( $out, $spec, $random, $seed, $v4only ) = ( undef, undef, 0, 1, 0 );
while ( my $arg = shift @ARGV ) {
    if    ( $arg eq '--random' )    { $random = shift @ARGV; }
    elsif ( $arg eq '--seed' )      { $seed   = shift @ARGV; }
    elsif ( $arg eq '--ipv4-only' ) { $v4only = 1; }
    elsif ( !defined $out )         { $out    = $arg; }
    elsif ( !defined $spec )        { $spec   = $arg; }
    else                            { die "unexpected argument $arg\n"; }
}
die "usage: $0 OUT.mmdb [SPEC.tsv] [--random N] [--seed S] [--ipv4-only]\n" unless defined $out;

my %types = (
    continent    => 'map',
    country      => 'map',
    subdivisions => [ 'array', 'map' ],
    code         => 'utf8_string',
    iso_code     => 'utf8_string',
    geoname_id   => 'uint32',
    names        => 'map',
    en           => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => $v4only ? 4 : 6,
    record_size           => 28,
    database_type         => 'Consentry-Test-City',
    languages             => ['en'],
    description           => { en => 'Consentry geo test database (fake data)' },
    map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4    => $v4only ? 0 : 1,
    merge_strategy        => 'none',
);

sub record {
    my ( $country, $subdivision, $continent ) = @_;
    my %r;
    $r{continent} = { code => $continent, names => { en => $continent } }
        if defined $continent && $continent ne '-';
    if ( defined $country && $country ne '-' ) {
        $r{country} = { iso_code => $country, names => { en => $country } };
        $r{subdivisions} = [ { iso_code => $subdivision } ]
            if defined $subdivision && $subdivision ne '-';
    }
    return \%r;
}

if ($random) {
    srand($seed);
    my @pool = (
        [ 'DE', 'BE', 'EU' ], [ 'FR', 'IDF', 'EU' ], [ 'US', 'CA', 'NA' ], [ 'US', 'NY', 'NA' ],
        [ 'BR', 'SP', 'SA' ], [ 'JP', '13', 'AS' ], [ 'GB', 'ENG', 'EU' ], [ 'CN', '22', 'AS' ],
        [ 'AU', 'NSW', 'OC' ], [ 'CA', 'QC', 'NA' ],
    );
    my %seen;
    for ( 1 .. $random ) {
        my ( $a, $b, $c );
        do {
            ( $a, $b, $c ) = ( 11 + int( rand(180) ), int( rand(256) ), int( rand(256) ) );
        } while ( $seen{"$a.$b.$c"}++ || $a == 127 || $a == 100 || $a == 169 || $a == 172 );
        my $p = $pool[ int( rand(@pool) ) ];
        $tree->insert_network( "$a.$b.$c.0/24", record(@$p) );
        next if $v4only;
        my $h = sprintf( '2a%02x:%x:%x::/48', int( rand(256) ), int( rand(65536) ),
            int( rand(65536) ) );
        $tree->insert_network( $h, record(@$p) );
    }
}

if ( defined $spec ) {
    open my $in, '<', $spec or die "cannot read $spec: $!\n";
    while ( my $line = <$in> ) {
        chomp $line;
        next if $line =~ /^\s*(#|$)/;
        my ( $net, $country, $subdivision, $continent ) = split /\t/, $line;
        die "bad spec line: $line\n" unless defined $continent;
        $tree->insert_network( $net, record( $country, $subdivision, $continent ) );
    }
    close $in;
}

open my $fh, '>:raw', "$out.$$.tmp" or die "cannot write $out.$$.tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot close $out.$$.tmp: $!\n";
rename "$out.$$.tmp", $out or die "cannot rename to $out: $!\n";
